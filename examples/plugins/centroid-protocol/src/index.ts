import { definePlugin } from '@radprobe/core';
import { centroidProtocol } from './protocol.js';

export { centroidProtocol } from './protocol.js';
export { centroidOptionsSchema, CENTROID_DEFAULTS, type CentroidOptions, type Distance } from './options.js';
export { centroidScores, centroids, unitRows } from './centroids.js';

/** The module's default export: what the `radprobe` field of package.json declares, and nothing else. */
export default definePlugin({ protocols: [centroidProtocol] });
