import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicTemporaryTarget, writeFileAtomic } from '../util/atomic.js';
import type { WorkerPlacement } from '../../contracts/results.js';
import { workerPlacement } from '../results/worker.js';
import { sha256 } from '../util/hash.js';
import type { PartRef } from '../scale/partition.js';

/**
 * What workers leave in a cache entry's `work/` folder besides the features: one claim file per worker while it
 * runs (`<list>-<I>of<N>.<host>-<pid>-<hex>.worker`, created with O_EXCL and removed when it finishes) and one
 * record per finished part of an item list (`<list>-<I>of<N>.done.json`, written to a temporary and renamed).
 * Neither needs a lock: names never collide, and a rename replaces a record whole. A claim whose worker is gone
 * is what a killed worker leaves: ignored by everything, reported by `radprobe cache ls` and `cache status`.
 */
export const WORK_FOLDER = 'work';

const DONE = /^([0-9a-f]{16})-(\d+)of(\d+)\.done\.json$/;
const CLAIM = /^([0-9a-f]{16})-(\d+)of(\d+)\.([A-Za-z0-9._-]+)-(\d+)-([0-9a-f]{8})\.worker$/;

/** A finished part of an item list. */
export interface DoneRecord {
  format: 1;
  dataset: string;
  /** Hash of the item list the part was taken from (`itemListHash`): a record of another list is stale. */
  list: string;
  part: PartRef;
  /** Feature groups (folder names) the part's items were embedded into. */
  groups: string[];
  /**
   * Each item of the part: the hash of its id (`itemIdHash`: ids are file names, which may carry patient numbers,
   * and the cache keeps no names), and its content key (null for an item left out as bad).
   */
  items: Array<[idHash: string, key: string | null]>;
  finishedAt: string;
  host: string;
  pid: number;
  /** The backbone's execution provider that embedded the part. Absent in records written before it existed. */
  executionProvider?: string;
  /** Where the part was embedded: host, job variables, the GPUs the engine gave it. Absent in older records. */
  worker?: WorkerPlacement;
}

/** What a finished-part record keeps of an item id: 32 hex digits of its sha256. */
export function itemIdHash(id: string): string {
  return sha256(id).slice(0, 32);
}

/** A worker's claim on a part, as its file says. */
export interface WorkerClaim {
  file: string;
  dataset: string;
  list: string;
  part: PartRef;
  host: string;
  pid: number;
  startedAt: string;
}

export type WorkFile = { kind: 'done'; list: string; part: PartRef } | { kind: 'claim'; list: string; part: PartRef } | { kind: 'temporary' };

/** What a file name in `work/` is, or null for one radprobe never writes there. */
export function workFileOf(name: string): WorkFile | null {
  const target = atomicTemporaryTarget(name);
  if (target !== null) return DONE.test(target) ? { kind: 'temporary' } : null;
  const done = DONE.exec(name);
  if (done) return { kind: 'done', list: done[1], part: { index: Number(done[2]), count: Number(done[3]) } };
  const claim = CLAIM.exec(name);
  if (claim) return { kind: 'claim', list: claim[1], part: { index: Number(claim[2]), count: Number(claim[3]) } };
  return null;
}

function partName(list: string, part: PartRef): string {
  return `${list}-${part.index}of${part.count}`;
}

/** This machine's name as it may appear in a file name. */
function hostTag(): string {
  return hostname().replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 64) || 'host';
}

/** The finished-part record of `part` of `list`, or null when there is none (or it cannot be read). */
export async function readDoneRecord(entryDir: string, list: string, part: PartRef): Promise<DoneRecord | null> {
  return parseDone(await readFile(join(entryDir, WORK_FOLDER, `${partName(list, part)}.done.json`), 'utf8').catch(() => null));
}

function parseDone(text: string | null): DoneRecord | null {
  if (text === null) return null;
  try {
    const record = JSON.parse(text) as DoneRecord;
    return record.format === 1 && Array.isArray(record.items) && Array.isArray(record.groups) ? record : null;
  } catch {
    return null;
  }
}

/**
 * Claims `part` of `list` for this process: a new file no other worker can have created (O_EXCL, on NFS too), which
 * says who works on it since when. Two workers given the same part each hold their own claim.
 */
export async function claimPart(entryDir: string, dataset: string, list: string, part: PartRef): Promise<{ file: string; finish(record: Omit<DoneRecord, 'format' | 'finishedAt' | 'host' | 'pid' | 'list' | 'part' | 'dataset' | 'worker'>): Promise<void> }> {
  const host = hostTag();
  const file = join(entryDir, WORK_FOLDER, `${partName(list, part)}.${host}-${process.pid}-${randomBytes(4).toString('hex')}.worker`);
  await mkdir(join(entryDir, WORK_FOLDER), { recursive: true });
  const handle = await open(file, 'wx');
  await handle.writeFile(JSON.stringify({ dataset, list, part, host, pid: process.pid, startedAt: new Date().toISOString() }));
  await handle.close();
  return {
    file,
    async finish(done) {
      const record: DoneRecord = { format: 1, dataset, list, part, ...done, finishedAt: new Date().toISOString(), host, pid: process.pid, worker: workerPlacement() };
      await writeFileAtomic(join(entryDir, WORK_FOLDER, `${partName(list, part)}.done.json`), JSON.stringify(record));
      await rm(file, { force: true });
    },
  };
}

/** Drops a claim without a record (the part failed or was cancelled: the next worker for it starts over). */
export function releaseClaim(file: string): Promise<void> {
  return rm(file, { force: true });
}

/** The finished-part records and the claims in an entry's `work/` folder. */
export async function readWork(entryDir: string): Promise<{ done: DoneRecord[]; claims: WorkerClaim[] }> {
  const dir = join(entryDir, WORK_FOLDER);
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  const done: DoneRecord[] = [];
  const claims: WorkerClaim[] = [];
  for (const name of names) {
    const kind = workFileOf(name);
    if (kind?.kind === 'done') {
      const record = parseDone(await readFile(join(dir, name), 'utf8').catch(() => null));
      if (record) done.push(record);
    } else if (kind?.kind === 'claim') {
      const text = await readFile(join(dir, name), 'utf8').catch(() => null);
      const claim = text ? safeJson(text) : null;
      const [, , , , host, pid] = CLAIM.exec(name)!;
      claims.push({
        file: join(dir, name),
        dataset: typeof claim?.dataset === 'string' ? claim.dataset : '?',
        list: kind.list,
        part: kind.part,
        host,
        pid: Number(pid),
        startedAt: typeof claim?.startedAt === 'string' ? claim.startedAt : '?',
      });
    }
  }
  return { done, claims };
}

function safeJson(text: string): Record<string, unknown> | null {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Whether a claim's worker still runs: known only on the machine it runs on (`yes`/`no`); on another machine
 * `unknown`. A claim whose worker does not run is a killed worker's leftover.
 */
export function claimAlive(claim: WorkerClaim): 'yes' | 'no' | 'unknown' {
  if (claim.host !== hostTag()) return 'unknown';
  try {
    process.kill(claim.pid, 0);
    return 'yes';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'yes' : 'no';
  }
}
