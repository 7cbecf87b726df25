import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';

/** `dy` summed over the axes that broadcasting added or stretched, back to `shape`. */
export function reducedTo(tf: TensorFlow, dy: Tensor, shape: number[], outShape: number[]): Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

function transposeLast(tf: TensorFlow, x: Tensor): Tensor {
  const order = x.shape.map((_, i) => i);
  [order[order.length - 2], order[order.length - 1]] = [order[order.length - 1], order[order.length - 2]];
  return tf.transpose(x, order);
}

/**
 * Gradients of products, sums and elementwise math. These follow tfjs-core's own gradient configs, except that a
 * transposed operand of a matrix product is transposed explicitly before the product: tfjs-wasm's matMul with
 * transposeA/transposeB runs about 10× slower than transpose + plain matMul.
 */
export function arithmeticGradients(tf: TensorFlow): GradConfig[] {
  const broadcastShape = (a: Tensor, b: Tensor) => tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const product = (a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean) =>
    tf.matMul(transposeA ? transposeLast(tf, a) : a, transposeB ? transposeLast(tf, b) : b);
  const float = (x: Tensor) => tf.cast(x, 'float32');
  return [
    {
      kernelName: 'BatchMatMul',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved, attrs) => {
        const [a, b] = saved;
        const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
        const dyT = dy as Tensor;
        // d/dA of op(A)·op(B) is dy·op(B)ᵀ, transposed back when A entered transposed; likewise for B.
        return {
          a: () => (transposeA ? product(b, dyT, transposeB, true) : product(dyT, b, false, !transposeB)),
          b: () => (transposeB ? product(dyT, a, true, transposeA) : product(a, dyT, !transposeA, false)),
        };
      },
    },
    {
      kernelName: 'Add',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]) => {
        const out = broadcastShape(a, b);
        return { a: () => reducedTo(tf, dy as Tensor, a.shape, out), b: () => reducedTo(tf, dy as Tensor, b.shape, out) };
      },
    },
    {
      kernelName: 'Sub',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]) => {
        const out = broadcastShape(a, b);
        return { a: () => reducedTo(tf, dy as Tensor, a.shape, out), b: () => tf.neg(reducedTo(tf, dy as Tensor, b.shape, out)) };
      },
    },
    {
      kernelName: 'Multiply',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]) => {
        const out = broadcastShape(a, b);
        return {
          a: () => reducedTo(tf, tf.mul(dy as Tensor, float(b)), a.shape, out),
          b: () => reducedTo(tf, tf.mul(dy as Tensor, float(a)), b.shape, out),
        };
      },
    },
    {
      kernelName: 'RealDiv',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]) => {
        const out = broadcastShape(a, b);
        // d(a/b)/da = 1/b, d(a/b)/db = −a/b².
        return {
          a: () => reducedTo(tf, tf.div(dy as Tensor, float(b)), a.shape, out),
          b: () => reducedTo(tf, tf.neg(tf.div(tf.mul(dy as Tensor, float(a)), tf.square(float(b)))), b.shape, out),
        };
      },
    },
    {
      kernelName: 'SquaredDifference',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]) => {
        const out = broadcastShape(a, b);
        const twiceDifference = () => tf.mul(dy as Tensor, tf.mul(2, tf.sub(a, b)));
        return {
          a: () => reducedTo(tf, twiceDifference(), a.shape, out),
          b: () => reducedTo(tf, tf.neg(twiceDifference()), b.shape, out),
        };
      },
    },
    { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(dy as Tensor) }) },
    { kernelName: 'Square', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as Tensor, tf.mul(float(x), 2)) }) },
    // d√x/dx = 1/(2√x), from the saved output.
    { kernelName: 'Sqrt', outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => tf.div(dy as Tensor, tf.mul(y, 2)) }) },
    { kernelName: 'Exp', outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => tf.mul(dy as Tensor, y) }) },
    { kernelName: 'Log', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.div(dy as Tensor, float(x)) }) },
    // σ' = σ(1 − σ), from the saved output.
    { kernelName: 'Sigmoid', outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => tf.mul(dy as Tensor, tf.mul(y, tf.sub(1, y))) }) },
    // erf'(x) = 2/√π · exp(−x²) (the exact GELU of ViT MLPs goes through erf).
    { kernelName: 'Erf', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy as Tensor, tf.mul(tf.exp(tf.neg(tf.square(float(x)))), 2 / Math.sqrt(Math.PI))) }) },
    {
      kernelName: 'Sum',
      inputsToSave: ['x'],
      gradFunc: (dy, [x], attrs) => {
        const { axis } = attrs as unknown as { axis: number | number[] };
        const axes = tf.util.parseAxisParam(axis, x.shape);
        const kept = x.shape.map((size, i) => (axes.includes(i) ? 1 : size));
        return { x: () => tf.mul(tf.reshape(dy as Tensor, kept), tf.ones(x.shape)) };
      },
    },
    {
      kernelName: 'Mean',
      inputsToSave: ['x'],
      gradFunc: (dy, [x], attrs) => {
        const { axis } = attrs as unknown as { axis: number | number[] };
        const axes = tf.util.parseAxisParam(axis, x.shape);
        const kept = x.shape.map((size, i) => (axes.includes(i) ? 1 : size));
        const count = axes.reduce((product, i) => product * x.shape[i], 1);
        return { x: () => tf.mul(tf.reshape(tf.div(dy as Tensor, count), kept), tf.ones(x.shape)) };
      },
    },
  ];
}
