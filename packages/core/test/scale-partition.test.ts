import { describe, expect, it } from 'vitest';
import { formatIndexRanges, parsePart, partitionItems, shardFromEnvironment, type ItemWeight } from '../src/engine/index.js';

const sums = (items: ItemWeight[], parts: Int32Array, count: number) => {
  const out = Array.from({ length: count }, () => ({ items: 0, bytes: 0 }));
  items.forEach((item, index) => {
    out[parts[index]].items++;
    out[parts[index]].bytes += item.bytes ?? 0;
  });
  return out;
};

describe('partitionItems', () => {
  it('deals equal items round-robin by id: parts differ by at most one item, whatever the input order', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ id: `f/${String(i).padStart(2, '0')}`, bytes: null }));
    const parts = partitionItems(items, 3);
    // Sorted by id, item k goes to part k mod 3 (all costs equal, least-loaded part, ties to the lowest index).
    expect([...parts]).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    const reversed = [...items].reverse();
    const again = partitionItems(reversed, 3);
    expect(reversed.map((item, index) => [item.id, again[index]]).sort()).toEqual(items.map((item, index) => [item.id, parts[index]]).sort());
  });

  it('balances bytes and counts together, not by folder: one folder of large scans is spread over every part', () => {
    // Folder a/ holds 4 files of 1000 bytes, folder b/ 12 files of 100 bytes: 16 items, 5200 bytes.
    const items = [
      ...Array.from({ length: 4 }, (_, i) => ({ id: `a/${i}`, bytes: 1000 })),
      ...Array.from({ length: 12 }, (_, i) => ({ id: `b/${i}`, bytes: 100 })),
    ];
    const parts = partitionItems(items, 4);
    // Each large file costs 1/16 + 1000/5200, each small one 1/16 + 100/5200: the four large ones go to parts 0..3
    // first, then the small ones three to a part, so every part has 4 items and 1300 bytes.
    expect(sums(items, parts, 4)).toEqual(Array.from({ length: 4 }, () => ({ items: 4, bytes: 1300 })));
    expect(new Set(items.flatMap((item, index) => (item.id.startsWith('a/') ? [parts[index]] : []))).size).toBe(4);
  });

  it('puts everything in part 0 of 1, and leaves a part empty only when there are fewer items than parts', () => {
    const items = [{ id: 'x', bytes: 5 }, { id: 'y', bytes: 7 }];
    expect([...partitionItems(items, 1)]).toEqual([0, 0]);
    expect([...partitionItems(items, 3)].sort()).toEqual([0, 1]);
  });
});

describe('parsePart', () => {
  it('reads I/N and refuses, naming the flag, anything else', () => {
    expect(parsePart('shard', '2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['4/4', '1/0', '-1/3', 'a/b', '1', '1/2/3']) expect(() => parsePart('cells', bad)).toThrow(`--cells must be I/N with 0 ≤ I < N (e.g. 0/4 … 3/4), not '${bad}'`);
  });
});

describe('shardFromEnvironment', () => {
  it('reads a SLURM array task: by COUNT, by MIN/MAX, with a step', () => {
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({
      part: { index: 2, count: 4 },
      source: 'SLURM_ARRAY_TASK_ID=2 of SLURM_ARRAY_TASK_COUNT=4',
    });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4' })?.part).toEqual({ index: 2, count: 4 });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '8', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '12', SLURM_ARRAY_TASK_STEP: '4' })?.part).toEqual({ index: 2, count: 4 });
  });

  it('reads a Kubernetes Indexed Job with the count the Job passes', () => {
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '0', RADPROBE_SHARD_COUNT: '5' })).toEqual({ part: { index: 0, count: 5 }, source: 'JOB_COMPLETION_INDEX=0 of RADPROBE_SHARD_COUNT=5' });
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '0' })).toThrow('RADPROBE_SHARD_COUNT is not');
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '5', RADPROBE_SHARD_COUNT: '5' })).toThrow('JOB_COMPLETION_INDEX=5 is not below RADPROBE_SHARD_COUNT=5');
  });

  it('is null without a scheduler, or when RADPROBE_SHARD_FROM_ENV=0; refuses an array that is not a plain range', () => {
    expect(shardFromEnvironment({})).toBeNull();
    expect(shardFromEnvironment({ RADPROBE_SHARD_FROM_ENV: '0', SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2' })).toBeNull();
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '3' })).toThrow('SLURM array task 7 is not one of 3');
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '1' })).toThrow('pass --shard I/N');
  });
});

describe('formatIndexRanges', () => {
  it('writes runs of indexes as ranges', () => {
    expect(formatIndexRanges([7, 2, 5, 6])).toBe('2, 5-7');
    expect(formatIndexRanges([])).toBe('');
  });
});
