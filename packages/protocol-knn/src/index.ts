import { definePlugin } from '@radprobe/core';
import { knnProtocol } from './protocol.js';

export { knnProtocol } from './protocol.js';
export { knnOptionsSchema, resolveKnnOptions, DEFAULT_KNN_OPTIONS } from './options.js';
export type { KnnOptions, ResolvedKnnOptions } from './options.js';
export { weightedVoteScores } from './weighted-vote.js';
export { fitMlKnn, predictMlKnn } from './ml-knn.js';
export type { MlKnnModel } from './ml-knn.js';

const plugin = definePlugin({ protocols: [knnProtocol] });
export default plugin;
