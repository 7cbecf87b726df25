import type { Conv2DBackpropInputAttrs, KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';

import { replaceWasmKernel } from './wasm-kernel-replacement.js';

type KernelCall = (inputs: Record<string, TensorInfo>, attrs: NamedAttrMap) => TensorInfo;

/**
 * The input gradient of a stride-1 2-D convolution on wasm as one forward convolution, which XNNPACK runs about
 * ten times faster than tfjs-backend-wasm 4.22's own `Conv2DBackpropInput` (~31 against ~3.7 GFLOP/s on the U-Net's
 * first block). With the forward pass reading `xPadded[y + i, x + j]` (padding `top`, `left`),
 * `dx[h, w, c] = Σ_{i, j, o} dy[h + top − i, w + left − j, o] · W[i, j, c, o]`, which is the convolution of `dy`
 * with the filter flipped in both spatial axes and its channel axes swapped (`W'[i, j, o, c] = W[kh−1−i, kw−1−j, c, o]`),
 * padded by `kh−1−top` above and whatever brings the output back to the input's height below (likewise for
 * columns). Strided gradients (and conv2dTranspose's up-sampling, which runs this kernel forward), NCHW, and any
 * padding that would have to be negative go to the original kernel.
 */
function fastBackpropInput(tf: TensorFlow, original: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
    const [filterHeight, filterWidth] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    const [, inHeight, inWidth] = inputShape;
    const top = filterHeight - 1 - info.padInfo.top;
    const left = filterWidth - 1 - info.padInfo.left;
    // A 'valid' stride-1 convolution of dy padded by (top, bottom) has dyHeight + top + bottom − kh + 1 rows: inHeight.
    const bottom = inHeight - info.outHeight + filterHeight - 1 - top;
    const right = inWidth - info.outWidth + filterWidth - 1 - left;
    const supported = dataFormat === 'NHWC' && info.strideHeight === 1 && info.strideWidth === 1 && dy.dtype === 'float32' && filter.dtype === 'float32';
    if (!supported || Math.min(top, left, bottom, right) < 0) return original({ inputs, backend, attrs });
    const call = (name: string): KernelCall => {
      const kernel = tf.getKernel(name, 'wasm')!;
      return (kernelInputs, kernelAttrs) => kernel.kernelFunc({ inputs: kernelInputs, backend: backend as KernelBackend, attrs: kernelAttrs }) as TensorInfo;
    };
    const [reverse, transpose, conv2d] = ['Reverse', 'Transpose', 'Conv2D'].map(call);
    const flipped = reverse({ x: filter }, { dims: [0, 1] });
    const swapped = transpose({ x: flipped }, { perm: [0, 1, 3, 2] });
    try {
      return conv2d({ x: dy, filter: swapped }, { strides: 1, dilations: 1, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] as never, dataFormat: 'NHWC' });
    } finally {
      for (const temporary of [flipped, swapped]) (backend as KernelBackend).disposeData(temporary.dataId);
    }
  };
}

/** Puts the fast stride-1 path in front of the wasm backend's own `Conv2DBackpropInput` (once). */
export function registerFastBackpropInput(tf: TensorFlow): void {
  replaceWasmKernel(tf, 'Conv2DBackpropInput', (original) => fastBackpropInput(tf, original));
}
