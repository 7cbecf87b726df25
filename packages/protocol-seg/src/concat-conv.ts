import type { TensorFlow } from '@radprobe/core';
import type { Tensor1D, Tensor4D } from '@tensorflow/tfjs-core';

/**
 * `conv2d(concat([a, b], channels), filter, stride 1, 'same') + bias` without the concatenation: a convolution sums
 * over input channels, so it is `a`'s convolution with the filter's first input channels plus `b`'s with the rest.
 * On wasm this skips copying both inputs into one tensor and splitting the gradient back apart: ~0.3 s of a ~7 s
 * U-Net training step on two 448 images.
 */
export function concatConv2d(tf: TensorFlow, a: Tensor4D, b: Tensor4D, filter: Tensor4D, bias: Tensor1D): Tensor4D {
  const [kernelHeight, kernelWidth, , outChannels] = filter.shape;
  const channelsA = a.shape[3];
  const filterA = tf.slice(filter, [0, 0, 0, 0], [kernelHeight, kernelWidth, channelsA, outChannels]);
  const filterB = tf.slice(filter, [0, 0, channelsA, 0], [kernelHeight, kernelWidth, b.shape[3], outChannels]);
  return tf.add(tf.add(tf.conv2d(a, filterA, 1, 'same'), tf.conv2d(b, filterB, 1, 'same')), bias);
}
