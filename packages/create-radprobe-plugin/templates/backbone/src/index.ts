import { definePlugin } from '@radprobe/core';
import { backbone } from './backbone.js';

export { backbone } from './backbone.js';

/** What the `radprobe` field of package.json declares, and nothing else. */
export default definePlugin({ backbones: [backbone] });
