import { availableParallelism } from 'node:os';
import { computeBackend } from '../compute/backend.js';
import { RadprobeError } from '../util/errors.js';
import type { GradientModelSource, ParallelTraining } from './data-parallel.js';

/** The environment variable that sets the training worker count where the config does not. */
export const TRAINING_WORKERS_VARIABLE = 'RADPROBE_TRAINING_WORKERS';

/** Where a worker count came from, for `radprobe doctor` and the editor's status bar. */
export interface TrainingWorkers {
  count: number;
  source: 'config' | typeof TRAINING_WORKERS_VARIABLE | 'cores';
}

/**
 * How many worker threads train data-parallel: the config's `trainingWorkers`, else `RADPROBE_TRAINING_WORKERS`,
 * else every core Node reports available (`os.availableParallelism()`). tfjs-backend-wasm runs one thread per
 * instance under Node, so a worker per core is what uses the machine.
 */
export function resolveTrainingWorkers(configured: number | undefined, env: NodeJS.ProcessEnv = process.env): TrainingWorkers {
  if (configured !== undefined) {
    if (!Number.isInteger(configured) || configured < 1) throw new RadprobeError(`trainingWorkers ${configured} must be a positive integer`);
    return { count: configured, source: 'config' };
  }
  const text = env[TRAINING_WORKERS_VARIABLE];
  if (text !== undefined && text !== '') {
    const count = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isInteger(count) || count < 1) {
      throw new RadprobeError(`${TRAINING_WORKERS_VARIABLE}='${text}' must be a positive integer (the training worker threads)`);
    }
    return { count, source: TRAINING_WORKERS_VARIABLE };
  }
  return { count: availableParallelism(), source: 'cores' };
}

/**
 * The data-parallel setup of a training run that asked for `requested` workers: that many on tfjs-wasm, which runs
 * one thread per backend instance; one on tfjs-node and tfjs-node-gpu, whose TensorFlow already uses every core
 * (or the GPU) from one thread.
 */
export async function parallelTraining(requested: number, source: GradientModelSource): Promise<ParallelTraining> {
  const { name } = await computeBackend();
  return { workers: name === 'wasm' ? requested : 1, source };
}
