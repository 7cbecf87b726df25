import type { RadprobePlugin } from '@radprobe/core';
import { protocol } from './protocol.js';

export { protocol } from './protocol.js';

/** What the `radprobe` field of package.json declares, and nothing else. */
const plugin: RadprobePlugin = { protocols: [protocol] };
export default plugin;
