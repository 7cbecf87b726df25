// @ts-check
/**
 * The worker thread that owns an onnxruntime session (see worker-session.ts). onnxruntime-node's `run` holds the
 * thread that calls it until inference ends; here that thread is this worker, so the main thread goes on reading,
 * decoding and preprocessing the next batch meanwhile. Plain JavaScript, because a worker thread is started from
 * a file that Node runs as it is (the package's tests run its TypeScript sources, which Node 20 cannot).
 *
 * Requests arrive one at a time, each `{ id, kind, ... }`, and are answered in order with `{ id, result }` or
 * `{ id, error }` (the message only: the main thread names the model in its own error).
 */
import { parentPort } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';

if (!parentPort) throw new Error('session-worker.js runs only as a worker thread');
const port = parentPort;

/** @type {InferenceSession | null} */
let session = null;

/**
 * @param {{ kind: 'create', modelPath: string, options: InferenceSession.SessionOptions }
 *   | { kind: 'run', inputName: string, data: Float32Array, dims: number[], fetches: string[] }
 *   | { kind: 'release' }} request
 */
async function answer(request) {
  if (request.kind === 'create') {
    session = await InferenceSession.create(request.modelPath, request.options);
    return { inputMetadata: session.inputMetadata, outputMetadata: session.outputMetadata };
  }
  if (!session) throw new Error('no session is open');
  if (request.kind === 'run') {
    const outputs = await session.run({ [request.inputName]: new Tensor('float32', request.data, request.dims) }, request.fetches);
    /** @type {Record<string, { data: unknown, dims: readonly number[], type: string }>} */
    const plain = {};
    for (const [name, tensor] of Object.entries(outputs)) plain[name] = { data: tensor.data, dims: tensor.dims, type: tensor.type };
    return plain;
  }
  await session.release();
  session = null;
  return null;
}

/**
 * The buffers of a run's outputs, handed to the main thread without a copy (the worker keeps no reference to them).
 * @param {unknown} result
 * @returns {ArrayBuffer[]}
 */
function transferable(result) {
  if (!result || typeof result !== 'object' || 'inputMetadata' in result) return [];
  const buffers = new Set();
  for (const output of Object.values(result)) if (ArrayBuffer.isView(output.data)) buffers.add(output.data.buffer);
  return [...buffers];
}

/** Requests run strictly one after another, in the order they were sent. */
let queue = Promise.resolve();
port.on('message', (/** @type {{ id: number }} */ message) => {
  queue = queue.then(async () => {
    try {
      const result = await answer(/** @type {any} */ (message));
      port.postMessage({ id: message.id, result }, transferable(result));
    } catch (error) {
      port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
});
