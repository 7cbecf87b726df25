import type { Conv2DBackpropFilterAttrs, KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorFlow } from '../compute/backend.js';
import { RadprobeError } from '../util/errors.js';
import { copyTapWindow } from './conv-tap-window.js';

type KernelCall = (inputs: Record<string, TensorInfo> | TensorInfo[], attrs: NamedAttrMap) => TensorInfo;

/**
 * The filter gradient of a 2-D convolution, which tfjs-backend-wasm 4.22 lacks, built from kernels it has. With
 * `x` zero-padded as the forward pass pads it, `dW[i, j] = X(i, j) · dY` for every filter tap `(i, j)`, where
 * `X(i, j)` is the `[inChannels, N·outH·outW]` matrix of the input pixels that tap reads and `dY` the
 * `[N·outH·outW, outChannels]` output gradient, which is `dy` as it lies. Each tap is one XNNPACK matrix product
 * with the full convolution's arithmetic intensity, and no im2col buffer (taps × the input) is ever held: one
 * tap's window lives at a time.
 * Why this orientation: XNNPACK packs a product's right operand before multiplying, and tfjs-wasm keeps the packed
 * copy for as long as that operand's buffer lives, so `dY` on the right is packed once for all taps, where a
 * per-tap window there would be re-packed every tap. The input is transposed once to channels-first
 * `[in, N, H, W]`, so each window is copied a row of pixels at a time (`copyTapWindow`) and comes out already in
 * the left operand's layout (tfjs-wasm's matMul with a transposed or batched operand runs ~10× slower than an
 * untransposed 2-D one).
 */
export function conv2dBackpropFilterKernel(tf: TensorFlow) {
  return ({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo => {
    const { x, dy } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (dataFormat !== 'NHWC') throw new RadprobeError(`Conv2DBackpropFilter on wasm supports dataFormat NHWC only, got ${dataFormat}`);
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new RadprobeError(`Conv2DBackpropFilter on wasm needs float32 x and dy, got ${x.dtype} and ${dy.dtype}`);
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
    const { batchSize, inChannels, outChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
    const call = (name: string): KernelCall => {
      const kernel = tf.getKernel(name, 'wasm');
      if (!kernel) throw new RadprobeError(`the wasm backend has no ${name} kernel`);
      return (kernelInputs, kernelAttrs) => kernel.kernelFunc({ inputs: kernelInputs as Record<string, TensorInfo>, backend, attrs: kernelAttrs }) as TensorInfo;
    };
    const [reshape, transpose, matMul, pack] = ['Reshape', 'Transpose', 'BatchMatMul', 'Pack'].map(call);
    const temporaries: TensorInfo[] = [];
    const keep = (info: TensorInfo) => (temporaries.push(info), info);
    try {
      const pixels = batchSize * outHeight * outWidth;
      const dyRows = keep(reshape({ x: dy }, { shape: [pixels, outChannels] }));
      const channelsFirst = keep(transpose({ x }, { perm: [3, 0, 1, 2] }));
      const taps: TensorInfo[] = [];
      for (let i = 0; i < filterHeight; i++) {
        for (let j = 0; j < filterWidth; j++) {
          // Freed as soon as it is multiplied, so one window (the size of the input) is live at a time.
          const window = copyTapWindow(backend as BackendWasm, channelsFirst, info, i, j);
          try {
            taps.push(keep(matMul({ a: window, b: dyRows }, { transposeA: false, transposeB: false })));
          } finally {
            backend.disposeData(window.dataId);
          }
        }
      }
      // Pack takes its inputs as an array, as tf.stack passes them.
      const stacked = keep(pack(taps, { axis: 0 }));
      return reshape({ x: stacked }, { shape: [filterHeight, filterWidth, inChannels, outChannels] });
    } finally {
      for (const temporary of temporaries) backend.disposeData(temporary.dataId);
    }
  };
}
