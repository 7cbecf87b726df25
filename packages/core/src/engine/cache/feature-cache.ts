import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackboneInfo } from '../../contracts/backbone.js';
import { writeFileAtomic } from '../util/atomic.js';
import { folderError, isFileSystemError } from '../util/path-problems.js';
import { canonicalJson, sha256 } from '../util/hash.js';
import { markCacheRoot } from './cache-marker.js';
import { groupDirectoryName, recordFloats, type FeatureGroup } from './layout.js';
import { ShardStore } from './shard-store.js';

/** What a cache entry's features were computed with: everything that changes the numbers. */
export interface CacheEntryIdentity {
  weightsHash: string;
  /** Hash of the backbone entry's kind and options that can change features (see `BackboneFactory`). */
  backboneOptions: string;
  backboneDescription: string;
  exposedBlocks: number[];
  embedDim: number;
  /** Canonical description of the preprocessing, including the output size. */
  preprocessing: unknown;
}

/**
 * What the features of `backbone`, configured with options hashed as `optionsHash`, on inputs preprocessed as
 * described by `preprocessingDescription` depend on.
 */
export function cacheEntryIdentity(backbone: BackboneInfo, optionsHash: string, preprocessingDescription: string): CacheEntryIdentity {
  return {
    weightsHash: backbone.weightsHash,
    backboneOptions: optionsHash,
    backboneDescription: backbone.description,
    exposedBlocks: backbone.exposedBlocks,
    embedDim: backbone.embedDim,
    preprocessing: preprocessingDescription,
  };
}

/** `entry.json` of a cache entry, for `radprobe cache ls`. */
export interface CacheEntryFile extends CacheEntryIdentity {
  key: string;
  createdAt: string;
  lastUsedAt: string;
}

export const ENTRY_FILE = 'entry.json';

/**
 * The features of one (backbone weights, preprocessing) pair. Items inside are keyed by their content key, so
 * the same image is embedded once whatever dataset, split or run it appears in, and a changed file never gets
 * stale features.
 */
export class FeatureCache {
  private readonly stores = new Map<string, Promise<ShardStore>>();

  private constructor(
    readonly dir: string,
    readonly key: string,
  ) {}

  static entryKey(identity: CacheEntryIdentity): string {
    return `${identity.weightsHash.slice(0, 16)}-${sha256(canonicalJson({ ...identity, weightsHash: undefined })).slice(0, 16)}`;
  }

  static async open(root: string, identity: CacheEntryIdentity): Promise<FeatureCache> {
    const key = FeatureCache.entryKey(identity);
    const dir = join(root, key);
    const entryPath = join(dir, ENTRY_FILE);
    await markCacheRoot(root);
    const now = new Date().toISOString();
    const previous = await readFile(entryPath, 'utf8').then((text) => JSON.parse(text) as CacheEntryFile, () => undefined);
    const entry: CacheEntryFile = { ...identity, key, createdAt: previous?.createdAt ?? now, lastUsedAt: now };
    await writeFileAtomic(entryPath, JSON.stringify(entry, null, 2)).catch(cacheFolderError(dir));
    return new FeatureCache(dir, key);
  }

  /** The record store of one feature group, opened once. */
  store(group: FeatureGroup): Promise<ShardStore> {
    const name = groupDirectoryName(group);
    let store = this.stores.get(name);
    if (!store) {
      store = ShardStore.open(join(this.dir, name), recordFloats(group)).catch(cacheFolderError(join(this.dir, name)));
      this.stores.set(name, store);
    }
    return store;
  }
}

/** Turns a failed file-system call on a cache folder (a dangling link, a file in the way) into its one line. */
function cacheFolderError(dir: string): (error: unknown) => Promise<never> {
  return async (error) => {
    throw isFileSystemError(error) ? await folderError(error, dir, { key: 'cache' }) : error;
  };
}
