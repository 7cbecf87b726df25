import type { GradSaveFunc, Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { TensorFlow } from '../compute/backend.js';
import { RadprobeError } from '../util/errors.js';

/**
 * Losses of classification heads. `logits` is `[batch, heads · classes]`: one or more heads side by side, each a
 * block of `classes` columns, all fitting the same targets. The value is the sum of the heads' losses, so the
 * gradient of each head's block is that head's own gradient and one backward pass serves every head.
 * The gradients are given in closed form (tf.customGrad), which is also what keeps them exact for large logits.
 */

/** A scalar function of the logits with its gradient in closed form (`gradient(dy, saved)`). */
function withClosedFormGradient(
  tf: TensorFlow,
  forward: (z: Tensor, save: GradSaveFunc) => { value: Scalar; gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor },
): (z: Tensor) => Scalar {
  const op = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => forward(args[0] as Tensor, args[1] as GradSaveFunc));
  return (z) => op(z) as Scalar;
}

function headsOf(logits: Tensor, classes: number, what: string): number {
  const [, width] = logits.shape;
  if (logits.rank !== 2 || width % classes !== 0) {
    throw new RadprobeError(`${what}: logits of shape [${logits.shape.join(', ')}] are not [batch, heads × ${classes} classes]`);
  }
  return width / classes;
}

/**
 * Multi-label BCE with logits, per head summed over the batch and averaged over classes:
 * `L = (1/C) Σ_b Σ_c [softplus(z_bc) − y_bc · z_bc]`, `∂L/∂z_bc = (σ(z_bc) − y_bc) / C`. A binary task is the
 * case `C = 1` (one output per head). `targets` is `[batch, classes]` of 0/1.
 */
export function bceWithLogitsLoss(tf: TensorFlow, logits: Tensor2D, targets: Tensor2D): Scalar {
  const classes = targets.shape[1];
  const heads = headsOf(logits, classes, 'BCE loss');
  if (targets.shape[0] !== logits.shape[0]) throw new RadprobeError(`BCE loss: ${logits.shape[0]} logit rows but ${targets.shape[0]} target rows`);
  const loss = withClosedFormGradient(tf, (z, save) => {
    const tiled = heads === 1 ? targets : tf.tile(targets, [1, heads]);
    save([z, tiled]);
    const value = tf.div(tf.sum(tf.sub(tf.softplus(z), tf.mul(tiled, z))), classes) as Scalar;
    return { value, gradFunc: (dy, [savedLogits, savedTargets]) => tf.mul(dy, tf.div(tf.sub(tf.sigmoid(savedLogits), savedTargets), classes)) };
  });
  return loss(logits);
}

/**
 * Multi-class cross-entropy, per head averaged over the batch: `L = −(1/B) Σ_b log softmax(z_b)[y_b]`,
 * `∂L/∂z_b = (softmax(z_b) − onehot(y_b)) / B`. `labels` is `[batch]` int32 class indices.
 */
export function crossEntropyLoss(tf: TensorFlow, logits: Tensor2D, labels: Tensor1D, classes: number): Scalar {
  const heads = headsOf(logits, classes, 'cross-entropy loss');
  const batch = logits.shape[0];
  if (labels.shape[0] !== batch) throw new RadprobeError(`cross-entropy loss: ${batch} logit rows but ${labels.shape[0]} labels`);
  const loss = withClosedFormGradient(tf, (z, save) => {
    const onehot = tf.reshape(tf.tile(tf.oneHot(labels, classes), [1, heads]), [batch, heads, classes]);
    const logProbabilities = tf.logSoftmax(tf.reshape(z, [batch, heads, classes]));
    save([logProbabilities, onehot]);
    const value = tf.div(tf.neg(tf.sum(tf.mul(onehot, logProbabilities))), batch) as Scalar;
    return {
      value,
      gradFunc: (dy, [savedLog, savedOnehot]) => tf.mul(dy, tf.reshape(tf.div(tf.sub(tf.exp(savedLog), savedOnehot), batch), [batch, heads * classes])),
    };
  });
  return loss(logits);
}
