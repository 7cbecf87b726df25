import type { Conv2DBackpropFilterAttrs, KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';
import { RadprobeError } from '../util/errors.js';

type KernelCall = (inputs: Record<string, TensorInfo> | TensorInfo[], attrs: NamedAttrMap) => TensorInfo;

/**
 * The filter gradient of a 2-D convolution, which tfjs-backend-wasm 4.22 lacks, built from kernels it has. With
 * `x` zero-padded as the forward pass pads it, `dW[i, j] = X(i, j)ᵀ · dY` for every filter tap `(i, j)`, where
 * `X(i, j)` is the `[N·outH·outW, inChannels]` matrix of the input pixels that tap reads (a strided window of the
 * padded input, copied contiguous) and `dY` the `[N·outH·outW, outChannels]` output gradient. Each tap is then
 * one XNNPACK matrix product with the full convolution's arithmetic intensity, and no im2col buffer (taps × the
 * input) is ever held. The product is taken as `dYᵀ · X(i, j)`, so `dY` is transposed once for all taps and the
 * per-tap windows need no transpose (tfjs-wasm's matMul with a transposed operand runs ~10× slower).
 */
export function conv2dBackpropFilterKernel(tf: TensorFlow) {
  return ({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo => {
    const { x, dy } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (dataFormat !== 'NHWC') throw new RadprobeError(`Conv2DBackpropFilter on wasm supports dataFormat NHWC only, got ${dataFormat}`);
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new RadprobeError(`Conv2DBackpropFilter on wasm needs float32 x and dy, got ${x.dtype} and ${dy.dtype}`);
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
    const { batchSize, inChannels, outChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
    const call = (name: string): KernelCall => {
      const kernel = tf.getKernel(name, 'wasm');
      if (!kernel) throw new RadprobeError(`the wasm backend has no ${name} kernel`);
      return (kernelInputs, kernelAttrs) => kernel.kernelFunc({ inputs: kernelInputs as Record<string, TensorInfo>, backend, attrs: kernelAttrs }) as TensorInfo;
    };
    const [reshape, transpose, padV2, stridedSlice, matMul, pack] = ['Reshape', 'Transpose', 'PadV2', 'StridedSlice', 'BatchMatMul', 'Pack'].map(call);
    const temporaries: TensorInfo[] = [];
    const keep = (info: TensorInfo) => (temporaries.push(info), info);
    try {
      const pixels = batchSize * outHeight * outWidth;
      const dyRows = keep(reshape({ x: dy }, { shape: [pixels, outChannels] }));
      const dyT = keep(transpose({ x: dyRows }, { perm: [1, 0] }));
      const { top, bottom, left, right } = padInfo;
      const padded =
        top + bottom + left + right > 0
          ? keep(padV2({ x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }))
          : x;
      const taps: TensorInfo[] = [];
      for (let i = 0; i < filterHeight; i++) {
        for (let j = 0; j < filterWidth; j++) {
          const window = keep(
            stridedSlice(
              { x: padded },
              {
                begin: [0, i, j, 0],
                end: [batchSize, i + (outHeight - 1) * strideHeight + 1, j + (outWidth - 1) * strideWidth + 1, inChannels],
                strides: [1, strideHeight, strideWidth, 1],
                beginMask: 0,
                endMask: 0,
                ellipsisMask: 0,
                newAxisMask: 0,
                shrinkAxisMask: 0,
              },
            ),
          );
          const rows = keep(reshape({ x: window }, { shape: [pixels, inChannels] }));
          taps.push(keep(matMul({ a: dyT, b: rows }, { transposeA: false, transposeB: false })));
        }
      }
      // Pack takes its inputs as an array, as tf.stack passes them.
      const stacked = keep(pack(taps, { axis: 0 }));
      const tapsInOut = keep(transpose({ x: stacked }, { perm: [0, 2, 1] }));
      return reshape({ x: tapsInOut }, { shape: [filterHeight, filterWidth, inChannels, outChannels] });
    } finally {
      for (const temporary of temporaries) backend.disposeData(temporary.dataId);
    }
  };
}
