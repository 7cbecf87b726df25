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
  /**
   * How the backend runs: `SIMD, 1 thread` or `no SIMD, 1 thread` for wasm (tfjs-backend-wasm 4.22 never starts its
   * threaded binary under Node: it reports no multithread support there, and forcing the flag fails because its
   * Emscripten pthread pool starts workers from blob: URLs, which Node's worker_threads refuses), `CUDA` or `CPU`
   * for the native bindings.
   */
  flavour: string;
  /** The candidates before it in the order tfjs-node-gpu → tfjs-node → wasm, and why each was not taken. */
  passedOver: Array<{ name: ComputeBackend['name']; reason: string }>;
}

/**
 * Candidates in order of preference. The native TensorFlow bindings are optional peer dependencies, imported by
 * a computed specifier so that neither the bundler nor the type checker requires them. The tfjs pure-JS 'cpu'
 * backend is never used: tfjs-wasm's matMul (XNNPACK, SIMD) runs ~30 GFLOP/s single-threaded in Node against
 * ~4 GFLOP/s for a register-blocked plain-JS product (bench/knn.mjs measures both).
 */
const candidates: Array<{ name: ComputeBackend['name']; specifier: string; load: () => Promise<TensorFlow>; tfBackend: string; flavour: (tf: TensorFlow) => Promise<string> }> = [
  { name: 'tensorflow-gpu', specifier: '@tensorflow/tfjs-node-gpu', load: () => importOptional('@tensorflow/tfjs-node-gpu'), tfBackend: 'tensorflow', flavour: async () => 'CUDA' },
  { name: 'tensorflow', specifier: '@tensorflow/tfjs-node', load: () => importOptional('@tensorflow/tfjs-node'), tfBackend: 'tensorflow', flavour: async () => 'CPU' },
  {
    name: 'wasm',
    specifier: '@tensorflow/tfjs-backend-wasm',
    load: async () => {
      const tf = await import('@tensorflow/tfjs-core').catch(missingPeer('@tensorflow/tfjs-core'));
      await import('@tensorflow/tfjs-backend-wasm').catch(missingPeer('@tensorflow/tfjs-backend-wasm'));
      return tf;
    },
    tfBackend: 'wasm',
    flavour: wasmFlavour,
  },
];

/** SIMD as tfjs-wasm detected it (it picks its binary by that flag) and the thread count the loaded binary runs. */
async function wasmFlavour(tf: TensorFlow): Promise<string> {
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  const threads = getThreadsCount();
  return `${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

/**
 * tfjs is an optional peer dependency of @radprobe/core, so that a plugin using only the contracts and pure helpers
 * does not install it: a missing one is named with what to install, any other failure passes through.
 */
function missingPeer(specifier: string): (error: unknown) => never {
  return (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && errorMessage(error).includes(`'${specifier}'`)) {
      throw new Error(
        `${specifier} is not installed: it is an optional peer dependency of @radprobe/core, which a package that computes on tfjs lists in its dependencies (npm i @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0)`,
      );
    }
    throw error;
  };
}

async function importOptional(specifier: string): Promise<TensorFlow> {
  return (await import(specifier)) as TensorFlow;
}

let selected: Promise<ComputeBackend> | null = null;

/** Why a candidate was not taken: its package is absent, or it failed to load or start (with the error). */
function passOverReason(specifier: string, error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' && errorMessage(error).includes(`'${specifier}'`)) return `not installed (${specifier})`;
  return `failed to load: ${errorMessage(error)}`;
}

async function select(): Promise<ComputeBackend> {
  const passedOver: ComputeBackend['passedOver'] = [];
  for (const candidate of candidates) {
    try {
      const tf = await candidate.load();
      if (!(await tf.setBackend(candidate.tfBackend))) throw new Error(`tfjs could not initialise its '${candidate.tfBackend}' backend`);
      await tf.ready();
      return { name: candidate.name, tf, flavour: await candidate.flavour(tf), passedOver };
    } catch (error) {
      passedOver.push({ name: candidate.name, reason: passOverReason(candidate.specifier, error) });
    }
  }
  throw new RadprobeError(`no compute backend could be initialised (${passedOver.map(({ name, reason }) => `${name}: ${reason}`).join('; ')})`);
}

/** The compute backend in use, initialised on first call: tfjs-node-gpu, else tfjs-node, else tfjs-wasm. */
export function computeBackend(): Promise<ComputeBackend> {
  selected ??= select().catch((error: unknown) => {
    selected = null;
    throw error;
  });
  return selected;
}
