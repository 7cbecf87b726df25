import type { BatchMatMulAttrs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';
import { replaceWasmKernel } from './wasm-kernel-replacement.js';

/**
 * Matrix products whose operands enter transposed, as an explicit transpose and a plain product. tfjs-backend-wasm
 * 4.22 runs `transposeB` about 8× and `transposeA` about 20–30× slower than the plain product per CPU second
 * (1024³: 21 GFLOP/s plain, 2.5 with transposeB, 0.6 with transposeA; the transpose itself is O(n²)), and every
 * backward pass of a dense layer, attention's q·kᵀ and LoRA's x·Aᵀ ask for them.
 */
function explicitTransposes(tf: TensorFlow, original: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    if (!transposeA && !transposeB) return original({ inputs, backend, attrs });
    const transpose = tf.getKernel('Transpose', 'wasm')!;
    const temporaries: TensorInfo[] = [];
    const swapLast = (x: TensorInfo): TensorInfo => {
      const perm = x.shape.map((_, i) => i);
      [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
      const swapped = transpose.kernelFunc({ inputs: { x }, backend: backend as KernelBackend, attrs: { perm } }) as TensorInfo;
      temporaries.push(swapped);
      return swapped;
    };
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    try {
      return original({
        inputs: { ...inputs, a: transposeA ? swapLast(a) : a, b: transposeB ? swapLast(b) : b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const temporary of temporaries) (backend as KernelBackend).disposeData(temporary.dataId);
    }
  };
}

/** Puts the explicit transposes in front of the wasm backend's `BatchMatMul` and `_FusedMatMul` (once). */
export function registerExplicitTransposes(tf: TensorFlow): void {
  for (const name of ['BatchMatMul', '_FusedMatMul']) replaceWasmKernel(tf, name, (original) => explicitTransposes(tf, original));
}
