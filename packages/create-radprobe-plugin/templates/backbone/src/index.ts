import type { RadprobePlugin } from '@radprobe/core';
import { backbone } from './backbone.js';

export { backbone } from './backbone.js';

/** What the `radprobe` field of package.json declares, and nothing else. */
const plugin: RadprobePlugin = { backbones: [backbone] };
export default plugin;
