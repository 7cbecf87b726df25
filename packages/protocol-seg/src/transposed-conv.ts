import type { TensorFlow } from '@radprobe/core';
import type { Tensor1D, Tensor4D } from '@tensorflow/tfjs-core';

/**
 * PyTorch's `ConvTranspose2d(kernel 2, stride 2)` with bias, i.e. `tf.conv2dTranspose(x, filter, [m, 2h, 2w, out],
 * 2, 'valid') + bias` with `filter` `[2, 2, out, in]`. Its output windows do not overlap:
 * `y[n, 2r + i, 2c + j, o] = Σ_k x[n, r, c, k] · filter[i, j, o, k]`, so it is one matrix product of the
 * `[m·h·w, in]` pixels with the `[in, 4·out]` filter (column `(2i + j)·out + o`) and a pixel shuffle that moves the
 * `(i, j)` blocks into place. tfjs-wasm runs conv2dTranspose through its slow generic Conv2DBackpropInput kernel
 * (and the gradient through a strided conv and a filter gradient); the product and shuffle run on XNNPACK's matMul
 * and plain transposes, with gradients the project registers.
 */
export function convTranspose2x2(tf: TensorFlow, x: Tensor4D, filter: Tensor4D, bias: Tensor1D): Tensor4D {
  const [m, rows, cols, inChannels] = x.shape;
  const out = filter.shape[2];
  const matrix = tf.reshape(tf.transpose(filter, [3, 0, 1, 2]), [inChannels, 4 * out]);
  const blocks = tf.matMul(tf.reshape(x, [m * rows * cols, inChannels]), matrix);
  // [m·h, w, i, (j, o)] → [m·h, i, w, (j, o)] is [m, 2h, 2w, out] in memory: row 2r + i, column 2c + j.
  const shuffled = tf.transpose(tf.reshape(blocks, [m * rows, cols, 2, 2 * out]), [0, 2, 1, 3]);
  return tf.add(tf.reshape(shuffled, [m, 2 * rows, 2 * cols, out]), bias);
}
