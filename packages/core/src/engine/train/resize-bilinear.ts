import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';

/**
 * The `[outSize, inSize]` matrix of the 1-D linear interpolation that tfjs's resizeBilinear applies along one axis:
 * output `o` reads the source coordinate `s = o · scale` (`(o + ½) · scale − ½` with half-pixel centres), where
 * `scale = inSize / outSize`, or `(inSize − 1) / (outSize − 1)` with aligned corners; `s` is split between the
 * rows `⌊s⌋` (clamped at 0) and `⌈s⌉` (clamped at `inSize − 1`) with weights `1 − f` and `f`, `f = s − ⌊s⌋`. This
 * is the rule of tfjs-backend-cpu and of the wasm kernel (TensorFlow's), so the resize is `Rₕ · image · R_wᵀ`.
 */
export function bilinearResizeMatrix(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Float32Array {
  const aligned = alignCorners && outSize > 1;
  const scale = aligned ? (inSize - 1) / (outSize - 1) : inSize / outSize;
  const matrix = new Float32Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const source = halfPixelCenters ? (o + 0.5) * scale - 0.5 : o * scale;
    const low = Math.max(0, Math.floor(source));
    const high = Math.min(inSize - 1, Math.ceil(source));
    const fraction = source - low;
    matrix[o * inSize + low] += 1 - fraction;
    matrix[o * inSize + high] += fraction;
  }
  return matrix;
}

/**
 * The gradient of `resizeBilinear(images → dy.shape)` with respect to the images, `Rₕᵀ · dy · R_w` per image and
 * channel, as two broadcast matrix products (no transposes of the large tensors). tfjs's own ResizeBilinearGrad
 * kernels ignore `halfPixelCenters` (the wasm one takes `alignCorners` only), which is why the project computes it.
 */
export function resizeBilinearBackprop(tf: TensorFlow, dy: Tensor4D, imagesShape: number[], alignCorners: boolean, halfPixelCenters: boolean): Tensor {
  const [batch, height, width, channels] = imagesShape;
  const [, outHeight, outWidth] = dy.shape;
  return tf.tidy(() => {
    const rowsT = tf.transpose(tf.tensor2d(bilinearResizeMatrix(height, outHeight, alignCorners, halfPixelCenters), [outHeight, height]));
    const columnsT = tf.transpose(tf.tensor2d(bilinearResizeMatrix(width, outWidth, alignCorners, halfPixelCenters), [outWidth, width]));
    const alongRows = tf.matMul(tf.expandDims(rowsT, 0), tf.reshape(dy, [batch, outHeight, outWidth * channels]));
    const alongColumns = tf.matMul(tf.expandDims(columnsT, 0), tf.reshape(alongRows, [batch * height, outWidth, channels]));
    return tf.reshape(alongColumns, imagesShape);
  });
}
