import { RadprobeError } from '../util/errors.js';

/** One part of a job split into `count` parts: `index` is 0-based. */
export interface PartRef {
  index: number;
  count: number;
}

/** `I/N` (0 ≤ I < N) as given to `--shard` or `--cells`; the error names the flag. */
export function parsePart(flag: string, text: string): PartRef {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new RadprobeError(`--${flag} must be I/N with 0 ≤ I < N (e.g. 0/4 … 3/4), not '${text}'`);
  }
  return { index, count };
}

export function formatPart(part: PartRef): string {
  return `${part.index}/${part.count}`;
}

/** What an item costs to embed, as far as its dataset can tell without reading it. */
export interface ItemWeight {
  id: string;
  /** Bytes of the item's file; null when the dataset does not say (all items then weigh the same). */
  bytes: number | null;
}

/**
 * The part (0 … count-1) of each item, deterministic for a given item list whatever the order the items come in:
 * every worker of a job array computes it alone and they agree. Parts balance item count and bytes together: an
 * item costs `1/n + bytes/totalBytes` (each half sums to 1 over the list, so a part of a tenth of the items and a
 * tenth of the bytes is a tenth of the work), and items are dealt largest first, ties by id, each to the part with
 * the least cost so far (ties to the lowest index). Items of one folder do not stay together: the deal sorts by
 * size, not by path, so a folder of large scans is spread over every part.
 */
export function partitionItems(items: readonly ItemWeight[], count: number): Int32Array {
  const n = items.length;
  const parts = new Int32Array(n);
  if (count === 1 || n === 0) return parts;
  const sized = items.every((item) => item.bytes !== null && item.bytes > 0);
  const totalBytes = sized ? items.reduce((sum, item) => sum + item.bytes!, 0) : 0;
  const cost = items.map((item) => 1 / n + (sized ? item.bytes! / totalBytes : 0));
  const order = items.map((_, position) => position).sort((a, b) => cost[b] - cost[a] || compareIds(items[a].id, items[b].id));
  const heap = new PartHeap(count);
  for (const position of order) parts[position] = heap.take(cost[position]);
  return parts;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parts by (cost so far, index), least first: the next item goes to the top. */
class PartHeap {
  private readonly loads: Float64Array;
  private readonly heap: Int32Array;

  constructor(count: number) {
    this.loads = new Float64Array(count);
    this.heap = Int32Array.from({ length: count }, (_, part) => part);
  }

  /** Adds `cost` to the least-loaded part and returns that part. */
  take(cost: number): number {
    const part = this.heap[0];
    this.loads[part] += cost;
    this.siftDown(0);
    return part;
  }

  private less(a: number, b: number): boolean {
    return this.loads[a] < this.loads[b] || (this.loads[a] === this.loads[b] && a < b);
  }

  private siftDown(start: number): void {
    const { heap } = this;
    for (let at = start; ; ) {
      const left = 2 * at + 1;
      const right = left + 1;
      let least = at;
      if (left < heap.length && this.less(heap[left], heap[least])) least = left;
      if (right < heap.length && this.less(heap[right], heap[least])) least = right;
      if (least === at) return;
      [heap[at], heap[least]] = [heap[least], heap[at]];
      at = least;
    }
  }
}

/** Missing part indexes as ranges: `2, 5-7`. */
export function formatIndexRanges(indexes: readonly number[]): string {
  const sorted = [...indexes].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let start = 0; start < sorted.length; ) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
    ranges.push(end === start ? `${sorted[start]}` : `${sorted[start]}-${sorted[end]}`);
    start = end + 1;
  }
  return ranges.join(', ');
}

/** Where a worker's part came from: a flag, or the environment of the scheduler that started it. */
export interface PartSource {
  part: PartRef;
  /** For the log line: `--shard 2/4`, `SLURM_ARRAY_TASK_ID=2 of SLURM_ARRAY_TASK_COUNT=4`. */
  source: string;
}

/**
 * The shard of this worker from the environment a scheduler gives it: a SLURM job array
 * (`SLURM_ARRAY_TASK_ID`, with `SLURM_ARRAY_TASK_COUNT`, or `…_MIN`/`…_MAX` and `…_STEP`), or a Kubernetes Indexed
 * Job (`JOB_COMPLETION_INDEX` with `RADPROBE_SHARD_COUNT`, which the Job sets to its `completions`). Null when none
 * is set, or when `RADPROBE_SHARD_FROM_ENV=0` turns this off. An array whose task ids are not a plain range is
 * refused: its tasks must say their shard with `--shard`.
 */
export function shardFromEnvironment(env: NodeJS.ProcessEnv): PartSource | null {
  if (env.RADPROBE_SHARD_FROM_ENV === '0') return null;
  const integer = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new RadprobeError(`${name} is '${text}', not an integer`);
    return value;
  };
  const slurmId = integer('SLURM_ARRAY_TASK_ID');
  if (slurmId !== undefined) {
    const min = integer('SLURM_ARRAY_TASK_MIN') ?? 0;
    const max = integer('SLURM_ARRAY_TASK_MAX');
    const step = integer('SLURM_ARRAY_TASK_STEP') ?? 1;
    const count = integer('SLURM_ARRAY_TASK_COUNT') ?? (max === undefined ? undefined : Math.floor((max - min) / step) + 1);
    if (count === undefined) {
      throw new RadprobeError('SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is: pass --shard I/N');
    }
    const index = (slurmId - min) / step;
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new RadprobeError(
        `SLURM array task ${slurmId} is not one of ${count} evenly spaced tasks from ${min} (step ${step}); use --array=0-${count - 1} or pass --shard I/N`,
      );
    }
    const described = env.SLURM_ARRAY_TASK_COUNT ? `SLURM_ARRAY_TASK_COUNT=${count}` : `SLURM_ARRAY_TASK_MIN..MAX=${min}..${max}`;
    return { part: { index, count }, source: `SLURM_ARRAY_TASK_ID=${slurmId} of ${described}` };
  }
  const jobIndex = integer('JOB_COMPLETION_INDEX');
  if (jobIndex !== undefined) {
    const count = integer('RADPROBE_SHARD_COUNT');
    if (count === undefined || count < 1) {
      throw new RadprobeError('JOB_COMPLETION_INDEX is set but RADPROBE_SHARD_COUNT is not: set it to the Job\'s completions (radprobe k8s does), or pass --shard I/N');
    }
    if (jobIndex < 0 || jobIndex >= count) throw new RadprobeError(`JOB_COMPLETION_INDEX=${jobIndex} is not below RADPROBE_SHARD_COUNT=${count}`);
    return { part: { index: jobIndex, count }, source: `JOB_COMPLETION_INDEX=${jobIndex} of RADPROBE_SHARD_COUNT=${count}` };
  }
  return null;
}
