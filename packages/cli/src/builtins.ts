import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import onnxBackbones from '@radprobe/backbone-onnx';
import type { RadprobePlugin } from '@radprobe/core';
import type { BuiltinPlugin } from '@radprobe/core/engine';
import datasets from '@radprobe/datasets';

const require = createRequire(import.meta.url);
/** The version of an installed package, from its package.json. */
export const versionOf = (packageName: string): string => (require(`${packageName}/package.json`) as { version: string }).version;
/** The installed package's folder (symlinks resolved, as `require.resolve` gives it). */
const locationOf = (packageName: string): string => dirname(require.resolve(`${packageName}/package.json`));

const builtin = (packageName: string, plugin: RadprobePlugin): BuiltinPlugin => ({ packageName, version: versionOf(packageName), location: locationOf(packageName), plugin });

/** Plugins the CLI ships with. Protocol plugins are not among them: users install the ones they need. */
export const builtinPlugins: BuiltinPlugin[] = [builtin('@radprobe/backbone-onnx', onnxBackbones), builtin('@radprobe/datasets', datasets)];

/** Plugins installed beside the CLI (e.g. a global install) are found too, not only those near the config. */
export const cliSearchDirs: string[] = [dirname(fileURLToPath(import.meta.url))];
