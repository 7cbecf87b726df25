export { FeatureCache, cacheEntryIdentity, type CacheEntryIdentity, type CacheEntryFile } from './feature-cache.js';
export { ShardStore, type ShardProblem } from './shard-store.js';
export type { ShardManifest } from './shard-manifest.js';
export { groupsFor, mergeNeeds, recordFloats, groupDirectoryName, type FeatureGroup } from './layout.js';
export { CACHE_MARKER } from './cache-marker.js';
export { listCache, pruneCache, type CacheEntrySummary, type CacheGroupSummary, type CacheSummary, type PruneOptions, type PruneReport } from './cache-admin.js';
export { cacheOfConfig, locateCache, type CacheLocation } from './cache-location.js';
export { claimAlive, claimPart, itemIdHash, readWork, type DoneRecord, type WorkerClaim } from './work-records.js';
