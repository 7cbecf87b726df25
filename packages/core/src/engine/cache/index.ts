export { FeatureCache, cacheEntryIdentity, type CacheEntryIdentity, type CacheEntryFile } from './feature-cache.js';
export { ShardStore, type ShardManifest, type ShardProblem } from './shard-store.js';
export { groupsFor, mergeNeeds, recordFloats, groupDirectoryName, type FeatureGroup } from './layout.js';
export { listCache, pruneCache, type CacheEntrySummary, type CacheGroupSummary, type PruneOptions, type PruneReport } from './cache-admin.js';
