import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { splitEvenly } from '../src/index.js';
import { resolveTrainingWorkers } from '../src/engine/index.js';
import { workerExecArgv } from '../src/engine/train/data-parallel.js';
import { dealTerms } from '../src/engine/train/train-loop.js';

describe('resolveTrainingWorkers', () => {
  it('takes the config, else RADPROBE_TRAINING_WORKERS, else every core', () => {
    expect(resolveTrainingWorkers(3, { RADPROBE_TRAINING_WORKERS: '5' })).toEqual({ count: 3, source: 'config' });
    expect(resolveTrainingWorkers(undefined, { RADPROBE_TRAINING_WORKERS: '5' })).toEqual({ count: 5, source: 'RADPROBE_TRAINING_WORKERS' });
    expect(resolveTrainingWorkers(undefined, { RADPROBE_TRAINING_WORKERS: '' })).toEqual({ count: availableParallelism(), source: 'cores' });
    expect(resolveTrainingWorkers(undefined, {})).toEqual({ count: availableParallelism(), source: 'cores' });
  });

  it('names the variable when its value is not a positive integer', () => {
    for (const value of ['0', '-2', '1.5', 'two']) {
      expect(() => resolveTrainingWorkers(undefined, { RADPROBE_TRAINING_WORKERS: value })).toThrow(`RADPROBE_TRAINING_WORKERS='${value}' must be a positive integer`);
    }
    expect(() => resolveTrainingWorkers(0, {})).toThrow('trainingWorkers 0 must be a positive integer');
  });
});

describe('splitEvenly', () => {
  it('cuts into contiguous runs, longer first, never an empty one', () => {
    expect(splitEvenly(Int32Array.of(1, 2, 3, 4, 5, 6, 7), 3).map((run) => Array.from(run))).toEqual([[1, 2, 3], [4, 5], [6, 7]]);
    expect(splitEvenly(['a', 'b'], 4)).toEqual([['a'], ['b']]);
    expect(splitEvenly([1, 2, 3], 1)).toEqual([[1, 2, 3]]);
  });
});

describe('workerExecArgv', () => {
  it('drops export conditions in both spellings and keeps the other flags', () => {
    expect(workerExecArgv(['--conditions', 'source', '--max-old-space-size=4096', '-C', 'development', '--conditions=import', '--require', 'x.cjs'])).toEqual(['--max-old-space-size=4096', '--require', 'x.cjs']);
  });
});

describe('dealTerms', () => {
  it('deals the largest terms first, each to the least loaded worker, and lists each worker’s terms in order', () => {
    // The linear grid's four input settings (widths 384, 768, 1,536, 1,920 × 4 heads): 1,920 | 1,536, then 768 to
    // the lighter second worker, then 384 to the first: 2,304 each.
    expect(dealTerms([384, 768, 1536, 1920].map((width) => width * 4), 2)).toEqual([[0, 3], [1, 2]]);
    // Equal costs: round robin from the first worker, lower index first.
    expect(dealTerms([1, 1, 1], 2)).toEqual([[0, 2], [1]]);
    expect(dealTerms([5], 1)).toEqual([[0]]);
  });

  it('refuses fewer terms than workers', () => {
    expect(() => dealTerms([1, 2], 3)).toThrow('2 loss terms cannot keep 3 workers busy');
  });
});
