import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';

/**
 * Gradients of the kernels that training graphs in radprobe are built from. tfjs-core registers no gradients by
 * itself (the `@tensorflow/tfjs` union package does, and tfjs-node loads it), and its per-kernel gradient modules
 * cannot be imported under Node's ESM resolver (extensionless relative imports). These follow tfjs-core's own
 * gradient configs, except that a transposed operand is transposed explicitly before the product: tfjs-wasm's
 * matMul with transposeA/transposeB runs about 10× slower than transpose + plain matMul.
 */
function gradientConfigs(tf: TensorFlow): GradConfig[] {
  const reducedTo = (dy: Tensor, shape: number[], outShape: number[]): Tensor => {
    const axes = tf.backend_util.getReductionAxes(shape, outShape);
    return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
  };
  const broadcastShape = (a: Tensor, b: Tensor) => tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const product = (a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean) =>
    tf.matMul(transposeA ? transposeLast(tf, a) : a, transposeB ? transposeLast(tf, b) : b);
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
        return { a: () => reducedTo(dy as Tensor, a.shape, out), b: () => reducedTo(dy as Tensor, b.shape, out) };
      },
    },
    {
      kernelName: 'Sub',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]) => {
        const out = broadcastShape(a, b);
        return { a: () => reducedTo(dy as Tensor, a.shape, out), b: () => tf.neg(reducedTo(dy as Tensor, b.shape, out)) };
      },
    },
    {
      kernelName: 'Multiply',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, [a, b]) => {
        const out = broadcastShape(a, b);
        return {
          a: () => reducedTo(tf.mul(dy as Tensor, tf.cast(b, 'float32')), a.shape, out),
          b: () => reducedTo(tf.mul(dy as Tensor, tf.cast(a, 'float32')), b.shape, out),
        };
      },
    },
    { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(dy as Tensor) }) },
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
    { kernelName: 'Reshape', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy as Tensor, x.shape) }) },
  ];
}

function transposeLast(tf: TensorFlow, x: Tensor): Tensor {
  const order = x.shape.map((_, i) => i);
  [order[order.length - 2], order[order.length - 1]] = [order[order.length - 1], order[order.length - 2]];
  return tf.transpose(x, order);
}

/** Kernels whose gradients `ensureGradients` guarantees. */
export const DIFFERENTIABLE_KERNELS = ['BatchMatMul', 'Add', 'Sub', 'Multiply', 'Neg', 'Sum', 'Reshape'] as const;

/** Registers the gradients above for the kernels that have none yet (a tfjs that registered its own keeps them). */
export function ensureGradients(tf: TensorFlow): void {
  for (const config of gradientConfigs(tf)) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}
