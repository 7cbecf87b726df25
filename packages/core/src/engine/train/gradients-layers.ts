import type { GradConfig, NamedAttrMap, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';
import { RadprobeError } from '../util/errors.js';
import { reducedTo } from './gradients-arithmetic.js';
import { resizeBilinearBackprop } from './resize-bilinear.js';

interface ConvAttrs {
  strides: number | [number, number];
  pad: NamedAttrMap[string];
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Gradients of the layers segmentation decoders are built from: convolutions, batch norm, activations, resizing. */
export function layerGradients(tf: TensorFlow): GradConfig[] {
  const engine = tf.engine();
  const backpropFilter = (x: Tensor, dy: Tensor, filterShape: number[], attrs: ConvAttrs) =>
    engine.runKernel('Conv2DBackpropFilter', { x, dy }, { strides: attrs.strides, pad: attrs.pad, dataFormat: attrs.dataFormat, dimRoundingMode: attrs.dimRoundingMode, filterShape } as unknown as NamedAttrMap) as Tensor;
  return [
    {
      kernelName: 'Conv2D',
      inputsToSave: ['x', 'filter'],
      gradFunc: (dy, [x, filter], attrs) => {
        const conv = attrs as unknown as ConvAttrs;
        const dilations = tf.backend_util.tupleValuesAreOne(conv.dilations ?? 1);
        if (!dilations) throw new RadprobeError(`the Conv2D gradient supports dilation 1 only, got ${String(conv.dilations)}`);
        return {
          x: () =>
            engine.runKernel('Conv2DBackpropInput', { dy: dy as Tensor, filter }, { strides: conv.strides, pad: conv.pad, dataFormat: conv.dataFormat, dimRoundingMode: conv.dimRoundingMode, inputShape: x.shape } as unknown as NamedAttrMap) as Tensor,
          filter: () => backpropFilter(x, dy as Tensor, filter.shape, conv),
        };
      },
    },
    {
      // conv2dTranspose runs Conv2DBackpropInput forward: its input gradient is the forward convolution of ddx.
      kernelName: 'Conv2DBackpropInput',
      inputsToSave: ['dy', 'filter'],
      gradFunc: (ddx, [dy, filter], attrs) => {
        const conv = attrs as unknown as ConvAttrs;
        return {
          dy: () => tf.conv2d(ddx as Tensor4D, filter as Tensor4D, conv.strides, conv.pad as 'same', conv.dataFormat, 1, conv.dimRoundingMode),
          filter: () => backpropFilter(ddx as Tensor, dy, filter.shape, conv),
        };
      },
    },
    {
      // y = (x − mean) · scale / √(variance + ε) + offset, every parameter broadcast against x.
      kernelName: 'FusedBatchNorm',
      inputsToSave: ['x', 'mean', 'variance', 'scale'],
      gradFunc: (dy, [x, mean, variance, scale], attrs) => {
        const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
        const g = dy as Tensor;
        const gain = scale ?? tf.scalar(1);
        const inverseDeviation = tf.rsqrt(tf.add(variance, varianceEpsilon));
        const centred = tf.sub(x, mean);
        const back = (value: Tensor, shape: number[]) => reducedTo(tf, value, shape, x.shape);
        return {
          x: () => tf.mul(g, tf.mul(gain, inverseDeviation)),
          mean: () => back(tf.neg(tf.mul(g, tf.mul(gain, inverseDeviation))), mean.shape),
          // ∂y/∂variance = −½ (x − mean) · scale · (variance + ε)^(−3/2).
          variance: () => back(tf.mul(tf.mul(g, tf.mul(centred, gain)), tf.mul(-0.5, tf.pow(inverseDeviation, 3))), variance.shape),
          scale: () => back(tf.mul(g, tf.mul(centred, inverseDeviation)), scale?.shape ?? []),
          offset: () => back(g, mean.shape),
        };
      },
    },
    // relu' is the unit step (0 at 0, as in tfjs-core).
    { kernelName: 'Relu', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as Tensor, tf.step(tf.cast(x, 'float32'))) }) },
    {
      // ∂softmax/∂z · dy = y ⊙ (dy − Σ dy ⊙ y) along the softmax axis.
      kernelName: 'Softmax',
      outputsToSave: [true],
      gradFunc: (dy, [y], attrs) => {
        const { dim } = attrs as unknown as { dim: number };
        const g = dy as Tensor;
        return { logits: () => tf.mul(y, tf.sub(g, tf.sum(tf.mul(g, y), dim, true))) };
      },
    },
    {
      kernelName: 'ResizeBilinear',
      inputsToSave: ['images'],
      gradFunc: (dy, [images], attrs) => {
        const { alignCorners, halfPixelCenters } = attrs as unknown as { alignCorners: boolean; halfPixelCenters: boolean };
        return { images: () => resizeBilinearBackprop(tf, dy as Tensor4D, images.shape, alignCorners, halfPixelCenters) };
      },
    },
  ];
}
