import { definePlugin } from '@radprobe/core';
import { protocol } from './protocol.js';

export { protocol } from './protocol.js';

/** What the `radprobe` field of package.json declares, and nothing else. */
export default definePlugin({ protocols: [protocol] });
