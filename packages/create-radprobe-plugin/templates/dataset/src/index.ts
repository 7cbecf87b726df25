import type { RadprobePlugin } from '@radprobe/core';
import { dataset } from './dataset.js';

export { dataset } from './dataset.js';

/** What the `radprobe` field of package.json declares, and nothing else. */
const plugin: RadprobePlugin = { datasets: [dataset] };
export default plugin;
