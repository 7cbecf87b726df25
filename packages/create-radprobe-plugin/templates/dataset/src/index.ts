import { definePlugin } from '@radprobe/core';
import { dataset } from './dataset.js';

export { dataset } from './dataset.js';

/** What the `radprobe` field of package.json declares, and nothing else. */
export default definePlugin({ datasets: [dataset] });
