import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicTemporaryTarget, writeFileAtomic } from '../util/atomic.js';
import { RadprobeError, errorMessage } from '../util/errors.js';
import { printablePath } from '../util/printable-path.js';
import { parseShardManifest, recordChecksum, shardManifest, type ShardDefect } from './shard-manifest.js';

/** A shard that failed its checks: never read; a run sets it aside, `radprobe cache prune` deletes it. */
export interface ShardProblem extends ShardDefect {
  shard: string;
}

/** What a file in a group folder is to the store. */
export interface ShardFile {
  shard: string;
  /** `set-aside`: a bad shard's file renamed `<name>.bad` by a run; `temporary`: left by a killed write. */
  role: 'data' | 'manifest' | 'set-aside' | 'temporary';
}

const DATA_SUFFIX = '.f32';
const MANIFEST_SUFFIX = '.json';
const SET_ASIDE_SUFFIX = '.bad';
/** Shard ids are `<time>-<pid>-<8 hex>` (see `writeShard`); any other name is not the store's. */
const SHARD_FILE = /^([0-9a-z]+-[0-9a-z]+-[0-9a-f]{8})\.(f32|json)(\.bad)?$/;
/** Contiguous records are read this many bytes at a time. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** The role of a file name in a group folder, or null for a name the store never writes. */
export function shardFileOf(name: string): ShardFile | null {
  const target = atomicTemporaryTarget(name);
  const match = SHARD_FILE.exec(target ?? name);
  if (!match) return null;
  if (target !== null) return match[3] ? null : { shard: match[1], role: 'temporary' };
  return { shard: match[1], role: match[3] ? 'set-aside' : match[2] === 'f32' ? 'data' : 'manifest' };
}

interface Shard {
  keys: string[];
  checksums: number[];
}

/**
 * Where `read` wants records: `place` gives the bytes a run of consecutive rows goes to when they go to
 * consecutive places (read there directly, no copy), else null and each record of the run is handed to `copy`.
 */
interface RecordSink {
  place(firstRow: number, count: number): Uint8Array | null;
  copy(row: number, record: Uint8Array): void;
}

/**
 * Fixed-size float32 records keyed by content key, stored as append-only shards (`<id>.f32` + `<id>.json`).
 * Nothing is ever rewritten in place: a process killed at any point leaves whole shards and, at worst, a
 * temporary file, so the next run reuses everything that was finished. Every record is checked against its
 * checksum whenever it is read: a shard damaged on disk is never used silently.
 */
export class ShardStore {
  private readonly shards = new Map<string, Shard>();
  private readonly index = new Map<string, { shard: string; row: number }>();
  /** Shards that failed a check, with the keys their manifest lists (where it could be read). */
  private readonly failed = new Map<string, { problem: ShardProblem; keys: string[] }>();

  private constructor(
    readonly dir: string,
    readonly recordFloats: number,
  ) {}

  /** Opens a group folder: indexes every shard whose manifest passes its checks and whose data has the right size. */
  static async open(dir: string, recordFloats: number): Promise<ShardStore> {
    const store = new ShardStore(dir, recordFloats);
    await mkdir(dir, { recursive: true });
    const manifests = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && shardFileOf(entry.name)?.role === 'manifest')
      .map((entry) => entry.name.slice(0, -MANIFEST_SUFFIX.length))
      .sort();
    for (const id of manifests) await store.load(id);
    store.reindex();
    return store;
  }

  /** Distinct keys with a usable record. */
  get size(): number {
    return this.index.size;
  }

  /** Shards in use. */
  get shardCount(): number {
    return this.shards.size;
  }

  /** Shards found bad (when opened, or by `verify`) and not set aside yet. */
  get problems(): ShardProblem[] {
    return [...this.failed.values()].map(({ problem }) => problem);
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
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    await writeFileAtomic(join(this.dir, id + DATA_SUFFIX), bytes);
    const manifest = shardManifest(keys, bytes, this.recordFloats);
    await writeFileAtomic(join(this.dir, id + MANIFEST_SUFFIX), JSON.stringify(manifest));
    this.shards.set(id, { keys, checksums: manifest.checksums });
    keys.forEach((key, row) => {
      if (!this.index.has(key)) this.index.set(key, { shard: id, row });
    });
  }

  /**
   * Records of `keys`, row-major in the given order. Every key must be present, and every record must match its
   * checksum: a shard that changed since it was checked fails the read with a message naming it.
   */
  async read(keys: readonly string[]): Promise<Float32Array> {
    const out = new Float32Array(keys.length * this.recordFloats);
    const outBytes = new Uint8Array(out.buffer);
    const recordBytes = this.recordFloats * 4;
    const targets = new Map<string, Map<number, number[]>>();
    keys.forEach((key, target) => {
      const location = this.index.get(key);
      if (!location) throw new Error(`feature cache has no record for ${key}`);
      let rows = targets.get(location.shard);
      if (!rows) targets.set(location.shard, (rows = new Map()));
      let copies = rows.get(location.row);
      if (!copies) rows.set(location.row, (copies = []));
      copies.push(target);
    });
    for (const [id, rows] of targets) {
      const fault = await this.checkedRows(id, ascending(rows.keys()), {
        place: (first, count) => {
          const start = rows.get(first)!;
          for (let i = 0; i < count; i++) {
            const places = rows.get(first + i)!;
            if (places.length !== 1 || places[0] !== start[0] + i) return null;
          }
          return outBytes.subarray(start[0] * recordBytes, (start[0] + count) * recordBytes);
        },
        copy: (row, record) => {
          for (const target of rows.get(row)!) outBytes.set(record, target * recordBytes);
        },
      });
      if (fault) {
        const path = join(this.dir, id + DATA_SUFFIX);
        throw new RadprobeError(
          `feature cache shard ${printablePath(path)} changed during this run: ${fault}; run again to set it aside and embed its items again`,
          { file: path },
        );
      }
    }
    return out;
  }

  /**
   * Reads and checks the records of `keys` (every record of every shard when omitted). A shard with a bad record
   * leaves the index, so its keys are missing until embedded again, and joins `problems`; returns the shards found
   * bad by this call. Where a key is also held by another shard, that shard's record is checked in turn.
   */
  async verify(keys?: Iterable<string>): Promise<ShardProblem[]> {
    if (!keys) return this.checkShards(new Map([...this.shards].map(([id, shard]) => [id, shard.keys.map((_, row) => row)])));
    const found: ShardProblem[] = [];
    for (let pending = [...new Set(keys)]; pending.length > 0; ) {
      const bad = await this.checkShards(this.rowsOf(pending));
      found.push(...bad);
      const dropped = new Set(bad.flatMap(({ shard }) => this.failed.get(shard)!.keys));
      pending = pending.filter((key) => dropped.has(key) && this.index.has(key));
    }
    return found;
  }

  /**
   * What a run calls before anything reads the store: checks the records of `keys`, then renames every bad shard
   * (found now or when the store was opened) to `<file>.bad`, so that no run reads or reports it again and its
   * items are embedded anew. Returns the warnings to show: one per bad shard, one for all shards of the old format.
   */
  async setAsideBadShards(keys: Iterable<string>): Promise<string[]> {
    const wanted = new Set(keys);
    await this.verify(wanted);
    const warnings: string[] = [];
    const old = { shards: 0, items: 0 };
    for (const [id, { problem, keys: listed }] of this.failed) {
      await this.setAside(id);
      const again = new Set(listed.filter((key) => wanted.has(key) && !this.index.has(key))).size;
      if (problem.kind === 'unverifiable') {
        old.shards++;
        old.items += again;
        continue;
      }
      const consequence = again > 0 ? `its ${again} item${again === 1 ? ' is' : 's are'} embedded again` : 'none of its items is used by this run';
      warnings.push(`feature cache shard ${printablePath(join(this.dir, id))}: ${problem.reason}; set aside as ${id}.*.bad; ${consequence}`);
    }
    this.failed.clear();
    if (old.shards > 0) {
      const [shards, were] = old.shards === 1 ? ['shard', 'was'] : ['shards', 'were'];
      warnings.push(
        `${old.shards} feature cache ${shards} in ${printablePath(this.dir)} ${were} written without checksums by an older radprobe: ` +
          `set aside as *.bad, their ${old.items} items are embedded again (radprobe cache prune deletes the set-aside files)`,
      );
    }
    return warnings;
  }

  private async load(id: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(join(this.dir, id + MANIFEST_SUFFIX), 'utf8');
    } catch (error) {
      this.fail(id, { kind: 'corrupt', reason: `unreadable manifest (${errorMessage(error)})` }, []);
      return;
    }
    const manifest = parseShardManifest(text, this.recordFloats);
    if ('kind' in manifest) {
      this.fail(id, manifest, listedKeys(text));
      return;
    }
    const expected = manifest.rows * this.recordFloats * 4;
    const size = await stat(join(this.dir, id + DATA_SUFFIX)).then((s) => s.size, () => -1);
    if (size !== expected) {
      this.fail(id, { kind: 'corrupt', reason: size < 0 ? 'data file missing' : `data file has ${size} bytes, expected ${expected}` }, manifest.keys);
      return;
    }
    this.shards.set(id, { keys: manifest.keys, checksums: manifest.checksums });
  }

  private fail(id: string, defect: ShardDefect, keys: string[]): void {
    this.shards.delete(id);
    this.failed.set(id, { problem: { shard: id, ...defect }, keys });
  }

  /** Each key to the first shard (in name order, which is creation order) that holds it. */
  private reindex(): void {
    this.index.clear();
    for (const [id, shard] of this.shards) {
      shard.keys.forEach((key, row) => {
        if (!this.index.has(key)) this.index.set(key, { shard: id, row });
      });
    }
  }

  /** The rows that hold `keys`, per shard, ascending. */
  private rowsOf(keys: string[]): Map<string, number[]> {
    const rows = new Map<string, number[]>();
    for (const key of keys) {
      const location = this.index.get(key);
      if (!location) continue;
      let list = rows.get(location.shard);
      if (!list) rows.set(location.shard, (list = []));
      list.push(location.row);
    }
    for (const list of rows.values()) list.sort((a, b) => a - b);
    return rows;
  }

  private async checkShards(rowsByShard: Map<string, number[]>): Promise<ShardProblem[]> {
    const bad: ShardProblem[] = [];
    for (const [id, rows] of rowsByShard) {
      const fault = await this.checkedRows(id, rows);
      if (!fault) continue;
      this.fail(id, { kind: 'corrupt', reason: fault }, this.shards.get(id)!.keys);
      bad.push(this.failed.get(id)!.problem);
    }
    if (bad.length > 0) this.reindex();
    return bad;
  }

  /**
   * Reads `rows` (ascending) of a shard, contiguous rows in one read, and checks each against its checksum; stops
   * at the first fault and returns it (null when all were good). With a sink, the records go where it says.
   */
  private async checkedRows(id: string, rows: number[], sink?: RecordSink): Promise<string | null> {
    const shard = this.shards.get(id)!;
    const recordBytes = this.recordFloats * 4;
    const chunkRows = Math.max(1, Math.floor(READ_CHUNK_BYTES / recordBytes));
    let handle;
    try {
      handle = await open(join(this.dir, id + DATA_SUFFIX), 'r');
    } catch (error) {
      return `data file cannot be read (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`;
    }
    try {
      let scratch: Uint8Array | undefined;
      for (let start = 0; start < rows.length; ) {
        let end = start + 1;
        while (end < rows.length && end - start < chunkRows && rows[end] === rows[end - 1] + 1) end++;
        const bytes = (end - start) * recordBytes;
        const direct = sink?.place(rows[start], end - start) ?? null;
        const chunk = direct ?? (scratch ??= new Uint8Array(Math.min(rows.length, chunkRows) * recordBytes)).subarray(0, bytes);
        const { bytesRead } = await handle.read(chunk, 0, bytes, rows[start] * recordBytes);
        if (bytesRead !== bytes) return 'data file is shorter than its manifest says';
        for (let i = start; i < end; i++) {
          const record = chunk.subarray((i - start) * recordBytes, (i - start + 1) * recordBytes);
          const row = rows[i];
          if (recordChecksum(shard.keys[row], record) !== shard.checksums[row]) return `record ${row} (item ${shard.keys[row]}) fails its checksum`;
          if (!direct) sink?.copy(row, record);
        }
        start = end;
      }
      return null;
    } finally {
      await handle.close();
    }
  }

  /** Renames a bad shard's files to `<file>.bad`; one already moved (by a concurrent run) is fine. */
  private async setAside(id: string): Promise<void> {
    for (const suffix of [DATA_SUFFIX, MANIFEST_SUFFIX]) {
      const path = join(this.dir, id + suffix);
      await rename(path, path + SET_ASIDE_SUFFIX).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw new RadprobeError(`cannot set aside the bad feature cache shard ${printablePath(path)}: ${error.message}`, { file: path, cause: error });
      });
    }
  }
}

function ascending(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The keys a manifest that failed its checks lists, as far as it can be read: to say which items are embedded again. */
function listedKeys(text: string): string[] {
  try {
    const keys = (JSON.parse(text) as { keys?: unknown }).keys;
    return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === 'string') : [];
  } catch {
    return [];
  }
}
