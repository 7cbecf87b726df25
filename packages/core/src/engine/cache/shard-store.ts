import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';

/** Describes one shard: which records its `.f32` file holds, in order. Written after the data, so its presence means the shard is whole. */
export interface ShardManifest {
  version: 1;
  rows: number;
  recordFloats: number;
  keys: string[];
  createdAt: string;
}

/** A shard that failed its checks when the store was opened; it is ignored, and `radprobe cache prune` removes it. */
export interface ShardProblem {
  shard: string;
  reason: string;
}

const MANIFEST_SUFFIX = '.json';
const DATA_SUFFIX = '.f32';

/**
 * Fixed-size float32 records keyed by content key, stored as append-only shards (`<id>.f32` + `<id>.json`).
 * Nothing is ever rewritten in place: a process killed at any point leaves whole shards and, at worst, a
 * temporary file, so the next run reuses everything that was finished.
 */
export class ShardStore {
  private readonly index = new Map<string, { shard: string; row: number }>();
  readonly problems: ShardProblem[] = [];

  private constructor(
    readonly dir: string,
    readonly recordFloats: number,
  ) {}

  static async open(dir: string, recordFloats: number): Promise<ShardStore> {
    const store = new ShardStore(dir, recordFloats);
    await mkdir(dir, { recursive: true });
    const names = (await readdir(dir)).filter((name) => name.endsWith(MANIFEST_SUFFIX)).sort();
    for (const name of names) await store.indexShard(name.slice(0, -MANIFEST_SUFFIX.length));
    return store;
  }

  get size(): number {
    return this.index.size;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /** Bytes a shard may reach before the writer starts a new one (bounds the loss of a killed run, too). */
  static readonly targetShardBytes = 64 * 1024 * 1024;

  /** Records per shard for this record size, at least one. */
  get rowsPerShard(): number {
    return Math.max(1, Math.floor(ShardStore.targetShardBytes / (this.recordFloats * 4)));
  }

  /** Writes `keys.length` records (row-major in `data`) as one new shard. */
  async writeShard(keys: string[], data: Float32Array): Promise<void> {
    if (data.length !== keys.length * this.recordFloats) {
      throw new Error(`shard data has ${data.length} floats, expected ${keys.length} × ${this.recordFloats}`);
    }
    const id = `${Date.now().toString(36)}-${process.pid.toString(36)}-${randomBytes(4).toString('hex')}`;
    await writeFileAtomic(join(this.dir, id + DATA_SUFFIX), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const manifest: ShardManifest = { version: 1, rows: keys.length, recordFloats: this.recordFloats, keys, createdAt: new Date().toISOString() };
    await writeFileAtomic(join(this.dir, id + MANIFEST_SUFFIX), JSON.stringify(manifest));
    keys.forEach((key, row) => {
      if (!this.index.has(key)) this.index.set(key, { shard: id, row });
    });
  }

  /** Records of `keys`, row-major in the given order. Every key must be present. */
  async read(keys: readonly string[]): Promise<Float32Array> {
    const out = new Float32Array(keys.length * this.recordFloats);
    const byShard = new Map<string, Array<{ row: number; target: number }>>();
    keys.forEach((key, target) => {
      const location = this.index.get(key);
      if (!location) throw new Error(`feature cache has no record for ${key}`);
      let wanted = byShard.get(location.shard);
      if (!wanted) byShard.set(location.shard, (wanted = []));
      wanted.push({ row: location.row, target });
    });
    const recordBytes = this.recordFloats * 4;
    for (const [shard, wanted] of byShard) {
      const handle = await open(join(this.dir, shard + DATA_SUFFIX), 'r');
      try {
        for (const { row, target } of wanted) {
          const view = new Uint8Array(out.buffer, target * recordBytes, recordBytes);
          const { bytesRead } = await handle.read(view, 0, recordBytes, row * recordBytes);
          if (bytesRead !== recordBytes) throw new Error(`feature cache shard ${shard} is shorter than its manifest says`);
        }
      } finally {
        await handle.close();
      }
    }
    return out;
  }

  private async indexShard(id: string): Promise<void> {
    let manifest: ShardManifest;
    try {
      manifest = JSON.parse(await readFile(join(this.dir, id + MANIFEST_SUFFIX), 'utf8')) as ShardManifest;
    } catch (error) {
      this.problems.push({ shard: id, reason: `unreadable manifest: ${(error as Error).message}` });
      return;
    }
    if (manifest.version !== 1 || manifest.recordFloats !== this.recordFloats || manifest.keys?.length !== manifest.rows) {
      this.problems.push({ shard: id, reason: 'manifest does not match this store (version, record size or key count)' });
      return;
    }
    const dataSize = await stat(join(this.dir, id + DATA_SUFFIX)).then((s) => s.size, () => -1);
    if (dataSize !== manifest.rows * this.recordFloats * 4) {
      this.problems.push({ shard: id, reason: dataSize < 0 ? 'data file missing' : `data file has ${dataSize} bytes, expected ${manifest.rows * this.recordFloats * 4}` });
      return;
    }
    manifest.keys.forEach((key, row) => {
      if (!this.index.has(key)) this.index.set(key, { shard: id, row });
    });
  }
}
