import type * as TensorFlowCore from '@tensorflow/tfjs-core';
import { RadprobeError, errorMessage } from '../util/errors.js';

/** The tfjs API, whichever package provided it. */
export type TensorFlow = typeof TensorFlowCore;

/** The backend that runs dense math (similarities now, training later). */
export interface ComputeBackend {
  /** `tensorflow-gpu` (tfjs-node-gpu), `tensorflow` (tfjs-node) or `wasm` (tfjs-backend-wasm). */
  name: 'tensorflow-gpu' | 'tensorflow' | 'wasm';
  /** tfjs with this backend set. */
  tf: TensorFlow;
}

/**
 * Candidates in order of preference. The native TensorFlow bindings are optional peer dependencies, imported by
 * a computed specifier so that neither the bundler nor the type checker requires them. The tfjs pure-JS 'cpu'
 * backend is never used: tfjs-wasm's matMul (XNNPACK, SIMD) runs ~30 GFLOP/s single-threaded in Node against
 * ~4 GFLOP/s for a register-blocked plain-JS product (bench/knn.mjs measures both).
 */
const candidates: Array<{ name: ComputeBackend['name']; load: () => Promise<TensorFlow>; tfBackend: string }> = [
  { name: 'tensorflow-gpu', load: () => importOptional('@tensorflow/tfjs-node-gpu'), tfBackend: 'tensorflow' },
  { name: 'tensorflow', load: () => importOptional('@tensorflow/tfjs-node'), tfBackend: 'tensorflow' },
  {
    name: 'wasm',
    load: async () => {
      const tf = await import('@tensorflow/tfjs-core');
      await import('@tensorflow/tfjs-backend-wasm');
      return tf;
    },
    tfBackend: 'wasm',
  },
];

async function importOptional(specifier: string): Promise<TensorFlow> {
  return (await import(specifier)) as TensorFlow;
}

let selected: Promise<ComputeBackend> | null = null;

async function select(): Promise<ComputeBackend> {
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      const tf = await candidate.load();
      if (!(await tf.setBackend(candidate.tfBackend))) throw new Error(`tfjs could not initialise its '${candidate.tfBackend}' backend`);
      await tf.ready();
      return { name: candidate.name, tf };
    } catch (error) {
      failures.push(`${candidate.name}: ${errorMessage(error)}`);
    }
  }
  throw new RadprobeError(`no compute backend could be initialised (${failures.join('; ')})`);
}

/** The compute backend in use, initialised on first call: tfjs-node-gpu, else tfjs-node, else tfjs-wasm. */
export function computeBackend(): Promise<ComputeBackend> {
  selected ??= select().catch((error: unknown) => {
    selected = null;
    throw error;
  });
  return selected;
}
