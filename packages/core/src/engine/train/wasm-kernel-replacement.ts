import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';

/** Replacement kernel functions made here, so registering twice never wraps a replacement in another. */
const replacements = new WeakSet<KernelFunc>();

/** Puts `wrap(original)` in place of the wasm backend's kernel `name` (once; nothing when wasm lacks the kernel). */
export function replaceWasmKernel(tf: TensorFlow, name: string, wrap: (original: KernelFunc) => KernelFunc): void {
  const current = tf.getKernel(name, 'wasm');
  if (!current || replacements.has(current.kernelFunc)) return;
  const kernelFunc = wrap(current.kernelFunc);
  replacements.add(kernelFunc);
  const replacement: KernelConfig = { kernelName: name, backendName: 'wasm', kernelFunc, setupFunc: current.setupFunc, disposeFunc: current.disposeFunc };
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(replacement);
}
