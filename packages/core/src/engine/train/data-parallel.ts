import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';
import { RadprobeError } from '../util/errors.js';

/** What one piece of a batch contributes to the batch's step. */
export interface PieceGradients {
  /** The gradient of the piece's share of the loss, one per variable in the model's order. */
  gradients: Tensor[];
  /** The piece's share of each loss the model reports (one per head or decoder of a grid); shares sum to the batch's. */
  losses: Float64Array;
  /**
   * Values the main thread applies after the step, in piece order (e.g. BatchNorm's batch statistics, which feed
   * running averages whose result depends on the order they arrive in).
   */
  extras?: Float32Array[];
}

/**
 * A model as data-parallel training sees it: its trained variables in a fixed order and the gradients of a piece
 * of a batch. The main thread and every worker build it from the same payload, so all copies have the same
 * variables in the same order; the main thread's copy owns the parameters and the optimiser.
 */
export interface GradientModel<Piece> {
  variables: Variable[];
  /** Runs forward and backward on `piece`; the caller disposes the gradients. */
  gradients(piece: Piece): PieceGradients;
  dispose(): void;
}

/**
 * Where a worker gets its model: the export `exportName` of `module` (a package name or file URL that Node
 * resolves from the worker, i.e. a built package), called as `factory(tf, payload)`. `payload` is structured-cloned
 * to every worker once.
 */
export interface GradientModelSource {
  module: string;
  exportName: string;
  payload: unknown;
}

/** How many worker threads train, and how each builds its model. */
export interface ParallelTraining {
  workers: number;
  source: GradientModelSource;
}

export type GradientModelFactory<Piece> = (tf: TensorFlow, payload: never) => GradientModel<Piece> | Promise<GradientModel<Piece>>;

/** The gradients of a batch: summed over its pieces in piece order, losses summed the same way. */
export interface BatchGradients {
  /** One per variable; the caller disposes them. */
  gradients: Tensor[];
  losses: Float64Array;
  /** Each piece's extras, in piece order. */
  extras: Float32Array[][];
}

/** Runs pieces of a batch, one per worker, and sums what they return. */
export interface DataParallel<Piece> {
  readonly workers: number;
  /** `pieces[w]` runs on worker `w` (at most one piece per worker). */
  gradients(pieces: readonly Piece[]): Promise<BatchGradients>;
  close(): Promise<void>;
}

/**
 * `items` cut into at most `parts` contiguous runs whose lengths differ by at most one, the longer first; no run is
 * empty. Contiguous runs keep the pieces' order the batch's order, so summing the pieces in order regroups the
 * single-worker accumulation without reordering it.
 */
export function splitEvenly<T extends { length: number; slice(start: number, end: number): T }>(items: T, parts: number): T[] {
  const count = Math.min(parts, items.length);
  const runs: T[] = [];
  let start = 0;
  for (let part = 0; part < count; part++) {
    const length = Math.floor(items.length / count) + (part < items.length % count ? 1 : 0);
    runs.push(items.slice(start, start + length));
    start += length;
  }
  return runs;
}

/**
 * Copies `tensor`'s values into `target` at `offset`: straight from tfjs-wasm's heap where the backend has one, else
 * through `dataSync`. The copy `dataSync` makes is a fresh array every step, and first touching its pages can cost
 * more than the copy itself (on a VM that returns freed memory to its host, first touches ran at seconds per GiB).
 */
export function copyTensorInto(tf: TensorFlow, tensor: Tensor, target: Float32Array, offset: number): void {
  const backend = tf.backend() as { typedArrayFromHeap?: (tensor: Tensor) => Float32Array };
  target.set(backend.typedArrayFromHeap ? backend.typedArrayFromHeap(tensor) : (tensor.dataSync() as Float32Array), offset);
}

/** The model on this thread: one piece, its gradients as they are. */
function inProcess<Piece>(model: GradientModel<Piece>): DataParallel<Piece> {
  return {
    workers: 1,
    async gradients(pieces) {
      if (pieces.length !== 1) throw new RadprobeError(`data-parallel training: ${pieces.length} pieces for 1 worker`);
      const { gradients, losses, extras } = model.gradients(pieces[0]);
      return { gradients, losses, extras: [extras ?? []] };
    },
    async close() {},
  };
}

/** Messages between the main thread and a training worker. */
export type WorkerRequest =
  | { type: 'init'; source: GradientModelSource; sizes: number[]; parameters: SharedArrayBuffer; gradients: SharedArrayBuffer; gradientOffset: number }
  | { type: 'step'; piece: unknown };
export type WorkerReply = { type: 'ready' } | { type: 'done'; losses: Float64Array; extras: Float32Array[] } | { type: 'error'; message: string };

/** The worker entry point of core's build (workers run built code, also when the caller runs from sources). */
function workerScript(): string {
  return createRequire(import.meta.url).resolve('@radprobe/core/train-worker');
}

/**
 * The parent's Node flags without its export conditions: a worker runs the packages' builds, and a condition that
 * maps them to TypeScript sources (the tests' `source`) would send its imports where Node cannot load them.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    if (arg === '--conditions' || arg === '-C') i++;
    else if (!arg.startsWith('--conditions=')) kept.push(arg);
  }
  return kept;
}

/**
 * A worker thread on `script` with the parent's Node flags (less export conditions). Node refuses V8 flags in a
 * worker's execArgv (e.g. --single-threaded-gc); those act on the whole process anyway, so the worker then
 * starts without the parent's flags.
 */
function startWorker(script: string): Worker {
  try {
    return new Worker(script, { execArgv: workerExecArgv(process.execArgv) });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Worker(script, { execArgv: [] });
  }
}

/** A training worker thread and its one request in flight. */
class TrainingThread {
  private readonly worker: Worker;
  private waiting: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void } | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  exited = false;

  constructor(script: string) {
    this.worker = startWorker(script);
    this.worker.on('message', (reply: WorkerReply) => {
      const waiting = this.waiting;
      this.waiting = null;
      if (reply.type === 'error') waiting?.reject(new Error(reply.message));
      else waiting?.resolve(reply);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.fail(new Error(`exited with code ${code}`));
    });
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }

  request(message: WorkerRequest): Promise<WorkerReply> {
    // A reply still owed to an earlier request would answer this one.
    if (this.waiting) return Promise.reject(new Error('still busy with the previous step'));
    if (this.exited) return Promise.reject(new Error('has exited'));
    const reply = new Promise<WorkerReply>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.postMessage(message);
    });
    this.inFlight = reply.then(
      () => undefined,
      () => undefined,
    );
    return reply;
  }

  /** Resolves once the request in flight, if any, has its answer (or the thread has ended). */
  settled(): Promise<void> {
    return this.inFlight;
  }

  /** While a training holds the thread it keeps the process alive; idle, it does not. */
  hold(): void {
    this.worker.ref();
  }

  release(): void {
    this.worker.unref();
  }
}

/**
 * Threads that trained before, waiting for the next training in this process. A new thread pays for loading
 * tfjs and its wasm module and, in its first steps, for the first touch of every page its heap grows into (seconds
 * per GiB on a VM that hands memory back to its host); a training that takes an idle thread pays neither, and
 * trainings come in series (a grid's settings, seeds, folds).
 */
const idleThreads: TrainingThread[] = [];

/**
 * `workers` computing threads: this one, which owns the parameters and computes the first piece of every step, and
 * `workers - 1` worker threads for the others. This thread would otherwise only wait, and its piece needs no copy
 * of the parameters in or of the gradients out.
 */
class WorkerPool<Piece> implements DataParallel<Piece> {
  private readonly offsets: number[];
  private readonly total: number;
  private readonly parameters: Float32Array;
  private readonly gradientsView: Float32Array;
  private readonly threads: TrainingThread[] = [];

  constructor(
    private readonly tf: TensorFlow,
    private readonly model: GradientModel<Piece>,
    readonly workers: number,
  ) {
    const sizes = model.variables.map((variable) => variable.size);
    this.offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    this.total = sizes.reduce((a, b) => a + b, 0);
    this.parameters = new Float32Array(new SharedArrayBuffer(4 * this.total));
    this.gradientsView = new Float32Array(new SharedArrayBuffer(4 * this.total * (workers - 1)));
  }

  async start(source: GradientModelSource): Promise<void> {
    const sizes = this.model.variables.map((variable) => variable.size);
    for (let t = 0; t < this.workers - 1; t++) {
      const thread = idleThreads.pop() ?? new TrainingThread(workerScript());
      thread.hold();
      this.threads.push(thread);
    }
    await Promise.all(
      this.threads.map((_, t) =>
        this.request(t, { type: 'init', source, sizes, parameters: this.parameters.buffer as SharedArrayBuffer, gradients: this.gradientsView.buffer as SharedArrayBuffer, gradientOffset: t * this.total }),
      ),
    );
  }

  /** A request to worker thread `thread`, which computes piece `thread + 1`. */
  private async request(thread: number, message: WorkerRequest): Promise<WorkerReply> {
    try {
      return await this.threads[thread].request(message);
    } catch (error) {
      throw new RadprobeError(`training worker ${thread + 2} of ${this.workers}: ${(error as Error).message}`);
    }
  }

  async gradients(pieces: readonly Piece[]): Promise<BatchGradients> {
    if (pieces.length < 1 || pieces.length > this.workers) throw new RadprobeError(`data-parallel training: ${pieces.length} pieces for ${this.workers} workers`);
    const { tf } = this;
    // Every worker thread starts the step from this thread's parameters, the one copy the optimiser updates.
    if (pieces.length > 1) this.model.variables.forEach((variable, i) => copyTensorInto(tf, variable, this.parameters, this.offsets[i]));
    const replies = Promise.all(pieces.slice(1).map((piece, t) => this.request(t, { type: 'step', piece }))) as Promise<Array<Extract<WorkerReply, { type: 'done' }>>>;
    // A failure here leaves the worker threads' replies to `close`, which waits for them.
    replies.catch(() => undefined);
    const own = this.model.gradients(pieces[0]);
    let others: Array<Extract<WorkerReply, { type: 'done' }>>;
    try {
      others = await replies;
    } catch (error) {
      tf.dispose(own.gradients);
      throw error;
    }
    const losses = Float64Array.from(own.losses);
    for (const reply of others) reply.losses.forEach((loss, i) => (losses[i] += loss));
    const gradients = own.gradients.map((gradient, i) =>
      tf.tidy(() => {
        const variable = this.model.variables[i];
        let sum: Tensor = gradient;
        for (let t = 0; t < others.length; t++) {
          sum = tf.add(sum, tf.tensor(this.gradientsView.subarray(t * this.total + this.offsets[i], t * this.total + this.offsets[i] + variable.size), variable.shape));
        }
        return sum;
      }),
    );
    // Summing made new tensors (none when this thread's piece was the only one).
    tf.dispose(own.gradients.filter((gradient, i) => gradients[i] !== gradient));
    return { gradients, losses, extras: [own.extras ?? [], ...others.map((reply) => reply.extras)] };
  }

  /**
   * Once every thread has answered its step (after a failure elsewhere some may still be computing theirs), the
   * living ones wait for the next training.
   */
  async close(): Promise<void> {
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((thread) => thread.settled()));
    for (const thread of threads) {
      if (thread.exited) continue;
      thread.release();
      idleThreads.push(thread);
    }
  }
}

/**
 * Data-parallel gradients over `workers` computing threads: this one, with `model`, and `workers - 1` worker
 * threads, each with its own tfjs backend and a copy of the model built from `source`; without `parallel`, or with
 * one worker, `model` computes alone. Each step this thread computes the first piece while every worker thread
 * takes this thread's current parameters and computes one of the others; the gradients are summed in piece order:
 * with contiguous pieces that is the single-worker accumulation regrouped, so results match it within float
 * rounding, and a given worker count repeats bit for bit.
 */
export async function dataParallel<Piece>(tf: TensorFlow, model: GradientModel<Piece>, parallel: ParallelTraining | undefined): Promise<DataParallel<Piece>> {
  if (!parallel || parallel.workers === 1) return inProcess(model);
  const { workers, source } = parallel;
  if (!Number.isInteger(workers) || workers < 1) throw new RadprobeError(`training workers ${workers} must be a positive integer`);
  const pool = new WorkerPool(tf, model, workers);
  try {
    await pool.start(source);
  } catch (error) {
    await pool.close();
    throw error;
  }
  return pool;
}
