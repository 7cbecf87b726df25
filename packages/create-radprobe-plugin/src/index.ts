/** create-radprobe-plugin: writes a ready radprobe plugin package (`npm create radprobe-plugin`). */
export { scaffoldPlugin, kindNameProblem, PLUGIN_KINDS, type PluginKind, type ScaffoldOptions } from './scaffold.js';
export { main, USAGE } from './cli.js';
