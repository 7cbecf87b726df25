import { RadprobeError, type TensorFlow } from '@radprobe/core';
import type { GradSaveFunc, Scalar, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import type { SegLoss } from './options.js';

/** MONAI DiceLoss's defaults: `smooth_nr = smooth_dr = 1e-5`. */
export const DICE_SMOOTH = 1e-5;

/**
 * MONAI `DiceLoss(softmax=True, to_onehot_y=True)` with its defaults (background included, `batch=False`, mean
 * reduction), optionally plus cross-entropy (`DiceCELoss`, both weights 1). With `p = softmax(z)` over classes and
 * `g` the one-hot truth, per image `b` and class `c`: `I = Σ_x p·g`, `G = Σ_x g`, `P = Σ_x p`,
 * `dice_bc = 1 − (2I + 1e-5) / (G + P + 1e-5)`; the loss is the mean of `dice_bc` over images and classes, plus,
 * for `dice+ce`, the mean over all pixels of `−log p[truth]`.
 *
 * `logits` `[m, H, W, C]` and `labels` `[m, H, W]` (int32) are one chunk of a batch of `batchImages` images: the
 * means divide by the whole batch, so the chunks' losses (and gradients) add up to the batch's. The gradient is in
 * closed form: `∂L/∂p = −(2g·D − N) / (D² · B·C)` with `N = 2I + 1e-5`, `D = G + P + 1e-5`, taken through the
 * softmax as `p ⊙ (∂L/∂p − Σ_c p·∂L/∂p)`; cross-entropy adds `(p − g) / (B·H·W)`.
 */
export function segmentationLoss(tf: TensorFlow, kind: SegLoss, logits: Tensor4D, labels: Tensor, batchImages: number): Scalar {
  const [m, height, width, classes] = logits.shape;
  if (labels.shape.length !== 3 || labels.shape[0] !== m || labels.shape[1] !== height || labels.shape[2] !== width) {
    throw new RadprobeError(`segmentation loss: labels of shape [${labels.shape.join(', ')}] do not match logits [${logits.shape.join(', ')}]`);
  }
  if (!(batchImages >= m)) throw new RadprobeError(`segmentation loss: a chunk of ${m} images cannot belong to a batch of ${batchImages}`);
  const pixels = height * width;
  const op = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const z = args[0] as Tensor4D;
    const save = args[1] as GradSaveFunc;
    const p = tf.reshape(tf.softmax(z), [m, pixels, classes]);
    const g = tf.reshape(tf.oneHot(tf.reshape(labels, [-1]), classes), [m, pixels, classes]);
    const numerator = tf.add(tf.mul(2, tf.sum(tf.mul(p, g), 1)), DICE_SMOOTH);
    const denominator = tf.add(tf.add(tf.sum(g, 1), tf.sum(p, 1)), DICE_SMOOTH);
    let value = tf.div(tf.sum(tf.sub(1, tf.div(numerator, denominator))), batchImages * classes) as Scalar;
    if (kind === 'dice+ce') {
      const logP = tf.reshape(tf.logSoftmax(z), [m, pixels, classes]);
      value = tf.add(value, tf.div(tf.neg(tf.sum(tf.mul(g, logP))), batchImages * pixels));
    }
    save([p, g, numerator, denominator]);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sp, sg, sn, sd] = saved;
        const shape = [m, 1, classes];
        const n = tf.reshape(sn, shape);
        const d = tf.reshape(sd, shape);
        const dp = tf.div(tf.sub(n, tf.mul(tf.mul(2, sg), d)), tf.mul(tf.square(d), batchImages * classes));
        let dz = tf.mul(sp, tf.sub(dp, tf.sum(tf.mul(sp, dp), 2, true)));
        if (kind === 'dice+ce') dz = tf.add(dz, tf.div(tf.sub(sp, sg), batchImages * pixels));
        return tf.mul(dy, tf.reshape(dz, [m, height, width, classes]));
      },
    };
  });
  return op(logits) as Scalar;
}
