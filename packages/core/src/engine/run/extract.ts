import type { Backbone, Dataset, DatasetItem, EmbeddedBatch, SkippedItem } from '../../contracts/index.js';
import type { FeatureCache } from '../cache/feature-cache.js';
import { recordFloats, type FeatureGroup } from '../cache/layout.js';
import type { ShardStore } from '../cache/shard-store.js';
import { preprocessInto } from '../image/preprocess.js';
import { type ResolvedPreprocessing } from '../image/preprocessing.js';
import { mapConcurrent } from '../util/concurrency.js';
import { itemReason } from './item-error.js';
import { RadprobeError, SourceUnavailableError, errorMessage } from '../util/errors.js';

export interface ExtractionRequest {
  dataset: Dataset;
  /** The items to embed (one part of a sharded extraction); every item of the dataset when absent. */
  items?: readonly DatasetItem[];
  backbone: Backbone;
  preprocessing: ResolvedPreprocessing;
  cache: FeatureCache;
  groups: FeatureGroup[];
  batchSize: number;
  onBadItem: 'fail' | 'skip';
  /**
   * Also decode and preprocess the items whose features need no embedding (cached, or none asked for), so that
   * an unreadable image is a bad item before a protocol that reads pixels itself meets it.
   */
  openEveryItem?: boolean;
  signal: AbortSignal;
  progress(done: number, total: number): void;
  log(message: string): void;
  warn(message: string): void;
}

export interface ExtractionResult {
  /** Content key of each item (of `items`, else of the dataset; same order), or null for an item that was skipped. */
  keys: Array<string | null>;
  skipped: SkippedItem[];
  /** Items embedded by this run, and items whose features were already cached. */
  computed: number;
  reused: number;
}

/**
 * How many items a shard may collect before it is written, at most. Smaller shards lose less work to a killed
 * run; larger ones mean fewer files. `RADPROBE_FLUSH_ITEMS` overrides it (tests use it to kill a run between shards).
 */
function flushItems(): number {
  const fromEnvironment = Number(process.env.RADPROBE_FLUSH_ITEMS);
  return Number.isInteger(fromEnvironment) && fromEnvironment > 0 ? fromEnvironment : 1024;
}

/** A shard is also written after this long, so a long extraction never holds more than a minute of work in memory. */
const FLUSH_INTERVAL_MS = 60_000;

/**
 * Makes sure every item has cached features in every group: items already cached are reused, the rest are
 * decoded, preprocessed and embedded batch by batch, the next batch being read while the backbone runs.
 * A bad item (undecodable, or non-finite features) is skipped or stops the run per `onBadItem`, and never
 * reaches the cache.
 */
export async function extractFeatures(request: ExtractionRequest): Promise<ExtractionResult> {
  const { dataset, onBadItem } = request;
  const items = request.items ?? dataset.items;
  const skipped: SkippedItem[] = [];
  const reject = (item: DatasetItem, reason: string, cause?: unknown): void => {
    if (cause instanceof SourceUnavailableError) throw cause;
    if (onBadItem === 'fail') {
      throw new RadprobeError(`${item.source}: ${reason} (use --on-bad-item skip to leave such items out)`, { file: item.source, cause });
    }
    skipped.push({ source: item.source, reason });
  };

  const keys = await mapConcurrent(items, 16, async (item) => {
    try {
      return await dataset.contentKey(item);
    } catch (error) {
      reject(item, `cannot read: ${itemReason(item, error)}`, error);
      return null;
    }
  });

  const stores = await Promise.all(request.groups.map((group) => request.cache.store(group)));
  // Before anything reads them: a shard that fails its checksums is set aside, so its items are embedded below.
  const cachedKeys = keys.filter((key) => key !== null);
  for (const store of stores) for (const warning of await store.setAsideBadShards(cachedKeys)) request.warn(warning);
  const pending = new Map<string, DatasetItem>();
  keys.forEach((key, index) => {
    if (key !== null && !pending.has(key) && stores.some((store) => !store.has(key))) pending.set(key, items[index]);
  });
  const reused = keys.filter((key) => key !== null).length - pending.size;
  request.log(pending.size > 0 ? `embedding ${pending.size} items (${reused} cached)` : `all ${reused} items from the cache`);

  const writer = new ShardWriter(request.groups, stores);
  const work = [...pending.entries()];
  const total = work.length;
  const { height, width } = request.preprocessing.outputSize;
  const pixelsPerImage = 3 * height * width;
  const failedKeys = new Set<string>();
  const openInto = async (key: string, item: DatasetItem, pixels: Float32Array, offset: number): Promise<boolean> => {
    try {
      preprocessInto(await dataset.open(item), request.preprocessing, pixels, offset);
      return true;
    } catch (error) {
      failedKeys.add(key);
      reject(item, itemReason(item, error), error);
      return false;
    }
  };

  if (request.openEveryItem) {
    const unchecked = new Map<string, DatasetItem>();
    keys.forEach((key, index) => {
      if (key !== null && !pending.has(key)) unchecked.set(key, items[index]);
    });
    await mapConcurrent([...unchecked], 4, ([key, item]) => openInto(key, item, new Float32Array(pixelsPerImage), 0));
  }

  const prepare = async (start: number) => {
    const slice = work.slice(start, start + request.batchSize);
    const pixels = new Float32Array(slice.length * pixelsPerImage);
    const ok = await mapConcurrent(slice, slice.length, ([key, item], row) => openInto(key, item, pixels, row * pixelsPerImage));
    return { slice, pixels, ok };
  };
  const prefetch = (start: number) => {
    const batch = prepare(start);
    // Awaited on the next turn of the loop; a bad item under `fail` must not count as an unhandled rejection
    // meanwhile (that would crash the process with a stack trace instead of reporting the item).
    batch.catch(() => undefined);
    return batch;
  };

  let done = 0;
  let next = total > 0 ? prefetch(0) : null;
  for (let start = 0; next; start += request.batchSize) {
    if (request.signal.aborted) break;
    const { slice, pixels, ok } = await next;
    next = start + request.batchSize < total ? prefetch(start + request.batchSize) : null;
    const rows = ok.map((good, row) => (good ? row : -1)).filter((row) => row >= 0);
    if (rows.length > 0) {
      const batchPixels = rows.length === slice.length ? pixels : gatherRows(pixels, rows, pixelsPerImage);
      const embedded = await request.backbone.embed(batchPixels, rows.length, height, width);
      rows.forEach((row, position) => {
        const [key, item] = slice[row];
        const records = request.groups.map((group) => recordOf(group, embedded, position));
        if (records.some((record) => !isFinite32(record))) {
          failedKeys.add(key);
          reject(item, `${request.backbone.info.description} gave non-finite features (NaN or Infinity) for this image`);
          return;
        }
        writer.add(key, records);
      });
    }
    done += slice.length;
    // Written before progress is reported, so that what a reader saw counted is on disk.
    await writer.flushIfDue(next === null);
    request.progress(done, total);
  }
  await writer.flushIfDue(true);
  if (request.signal.aborted) throw new RadprobeError('cancelled; features embedded so far are cached and the next run resumes from them');

  const finalKeys = keys.map((key) => (key === null || failedKeys.has(key) ? null : key));
  return { keys: finalKeys, skipped, computed: total - failedKeys.size, reused };
}

/** Collects records per group and writes them as shards. */
class ShardWriter {
  private keys: string[] = [];
  private records: Float32Array[][] = [];
  private lastFlush = Date.now();

  constructor(
    private readonly groups: FeatureGroup[],
    private readonly stores: ShardStore[],
  ) {}

  add(key: string, records: Float32Array[]): void {
    this.keys.push(key);
    this.records.push(records);
  }

  async flushIfDue(force: boolean): Promise<void> {
    if (this.keys.length === 0) return;
    const due =
      force ||
      this.keys.length >= flushItems() ||
      this.stores.some((store) => this.keys.length >= store.rowsPerShard) ||
      Date.now() - this.lastFlush >= FLUSH_INTERVAL_MS;
    if (!due) return;
    for (let g = 0; g < this.groups.length; g++) {
      const store = this.stores[g];
      const rows = this.keys.map((key, row) => (store.has(key) ? -1 : row)).filter((row) => row >= 0);
      if (rows.length === 0) continue;
      const floats = recordFloats(this.groups[g]);
      const data = new Float32Array(rows.length * floats);
      rows.forEach((row, position) => data.set(this.records[row][g], position * floats));
      await store.writeShard(rows.map((row) => this.keys[row]), data).catch((error: unknown) => {
        throw new RadprobeError(`cannot write the feature cache in ${store.dir}: ${errorMessage(error)}`, { cause: error });
      });
    }
    this.keys = [];
    this.records = [];
    this.lastFlush = Date.now();
  }
}

/** One item's record of a group, from a batch's tokens (see cache/layout.ts for the layouts). */
function recordOf(group: FeatureGroup, batch: EmbeddedBatch, position: number): Float32Array {
  const dim = group.embedDim;
  const record = new Float32Array(recordFloats(group));
  const exposed = batch.cls.length;
  if (group.kind === 'global') {
    const stride = group.withPatchMean ? 2 * dim : dim;
    for (let b = 0; b < group.blocks; b++) {
      record.set(batch.cls[b].subarray(position * dim, (position + 1) * dim), b * stride);
      if (group.withPatchMean && batch.patch) meanToken(batch.patch[b], position, batch.grid.rows * batch.grid.cols, dim, record, b * stride + dim);
    }
    return record;
  }
  if (!batch.patch) throw new Error('patch tokens requested from a backbone that exposes none');
  const tokenFloats = group.tokens * dim;
  for (let b = 0; b < group.blocks; b++) {
    const source = batch.patch[exposed - group.blocks + b];
    record.set(source.subarray(position * tokenFloats, (position + 1) * tokenFloats), b * tokenFloats);
  }
  return record;
}

function meanToken(patch: Float32Array, position: number, tokens: number, dim: number, out: Float32Array, offset: number): void {
  const sums = new Float64Array(dim);
  const base = position * tokens * dim;
  for (let t = 0; t < tokens; t++) {
    const row = base + t * dim;
    for (let d = 0; d < dim; d++) sums[d] += patch[row + d];
  }
  for (let d = 0; d < dim; d++) out[offset + d] = sums[d] / tokens;
}

function isFinite32(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

function gatherRows(pixels: Float32Array, rows: number[], rowFloats: number): Float32Array {
  const out = new Float32Array(rows.length * rowFloats);
  rows.forEach((row, position) => out.set(pixels.subarray(row * rowFloats, (row + 1) * rowFloats), position * rowFloats));
  return out;
}
