import { parentPort } from 'node:worker_threads';
import type { Tensor } from '@tensorflow/tfjs-core';
import { errorMessage } from '../util/errors.js';
import { copyTensorInto, type GradientModel, type GradientModelFactory, type WorkerReply, type WorkerRequest } from './data-parallel.js';
import { trainingBackend } from './train-loop.js';

/**
 * A data-parallel training worker: its own tfjs backend and a copy of the model. Each step it loads the main
 * thread's parameters from shared memory, runs its piece, and writes the piece's gradients to its own region.
 * A thread serves one training after another: each `init` replaces the previous training's model.
 */
let model: GradientModel<unknown> | null = null;
let parameters: Float32Array;
let gradients: Float32Array;
let offsets: number[];

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  const tf = await trainingBackend();
  if (request.type === 'init') {
    model?.dispose();
    model = null;
    const imported = (await import(request.source.module)) as Record<string, unknown>;
    const factory = imported[request.source.exportName];
    if (typeof factory !== 'function') throw new Error(`${request.source.module} has no function export '${request.source.exportName}'`);
    model = await (factory as GradientModelFactory<unknown>)(tf, request.source.payload as never);
    const sizes = model.variables.map((variable) => variable.size);
    if (sizes.join() !== request.sizes.join()) throw new Error(`the worker's model has variables of sizes [${sizes.join(', ')}], the main thread's [${request.sizes.join(', ')}]`);
    offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    const total = sizes.reduce((a, b) => a + b, 0);
    parameters = new Float32Array(request.parameters);
    gradients = new Float32Array(request.gradients, 4 * request.gradientOffset, total);
    return { type: 'ready' };
  }
  if (!model) throw new Error('step before init');
  const copy = model;
  tf.tidy(() => copy.variables.forEach((variable, i) => variable.assign(tf.tensor(parameters.subarray(offsets[i], offsets[i] + variable.size), variable.shape))));
  const result = copy.gradients(request.piece);
  result.gradients.forEach((gradient: Tensor, i) => copyTensorInto(tf, gradient, gradients, offsets[i]));
  tf.dispose(result.gradients);
  return { type: 'done', losses: result.losses, extras: result.extras ?? [] };
}

parentPort!.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (reply) => parentPort!.postMessage(reply),
    (error: unknown) => parentPort!.postMessage({ type: 'error', message: errorMessage(error) } satisfies WorkerReply),
  );
});
