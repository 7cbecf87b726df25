import type { TensorFlow } from '@radprobe/core';
import type { GradSaveFunc, Tensor, Tensor2D } from '@tensorflow/tfjs-core';

/**
 * LayerNorm over the last axis with the biased variance, as PyTorch: x̂·weight + bias, x̂ = (x − μ)/√(σ² + ε).
 * Its gradient is written out so that the tape keeps only x̂ and 1/√(σ² + ε) rather than every intermediate:
 * with g = dy·weight, dx = (g − mean(g) − x̂·mean(g·x̂))/√(σ² + ε), dweight = Σ_rows dy·x̂, dbias = Σ_rows dy.
 */
export function layerNorm(tf: TensorFlow, x: Tensor2D, weight: Tensor, bias: Tensor, epsilon: number): Tensor2D {
  const normalize = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [input, gain, offset, save] = args as [Tensor2D, Tensor, Tensor, GradSaveFunc];
    const centred = tf.sub(input, tf.mean(input, -1, true));
    const inverseDeviation = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), epsilon));
    const normalized = tf.mul(centred, inverseDeviation);
    save([normalized, inverseDeviation, gain]);
    return {
      value: tf.add(tf.mul(normalized, gain), offset) as Tensor2D,
      gradFunc: (dy: Tensor2D, [savedNormalized, savedInverse, savedGain]: Tensor[]) => {
        const g = tf.mul(dy, savedGain);
        const projection = tf.mul(savedNormalized, tf.mean(tf.mul(g, savedNormalized), -1, true));
        const dx = tf.mul(tf.sub(tf.sub(g, tf.mean(g, -1, true)), projection), savedInverse);
        return [dx, tf.sum(tf.mul(dy, savedNormalized), 0), tf.sum(dy, 0)];
      },
    };
  });
  return normalize(x, weight, bias);
}

/**
 * Exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)), as PyTorch's nn.GELU() that DINOv2 uses (not the tanh approximation).
 * The gradient Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π), is written out so that the tape keeps only x.
 */
export function gelu(tf: TensorFlow, x: Tensor2D): Tensor2D {
  const activate = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [input, save] = args as [Tensor2D, GradSaveFunc];
    save([input]);
    return {
      value: tf.mul(tf.mul(input, 0.5), tf.add(tf.erf(tf.mul(input, Math.SQRT1_2)), 1)) as Tensor2D,
      gradFunc: (dy: Tensor2D, [saved]: Tensor[]) => {
        const cdf = tf.mul(tf.add(tf.erf(tf.mul(saved, Math.SQRT1_2)), 1), 0.5);
        const density = tf.mul(tf.exp(tf.mul(tf.square(saved), -0.5)), 1 / Math.sqrt(2 * Math.PI));
        return tf.mul(dy, tf.add(cdf, tf.mul(saved, density)));
      },
    };
  });
  return activate(x);
}

/**
 * `a·b` of 2-D tensors whose gradients are untransposed 2-D products too: da = dy·bᵀ, db = aᵀ·dy with the
 * transposes materialised first. tfjs-wasm 4.22 runs only an untransposed 2-D product on XNNPACK (~30 GFLOP/s on
 * one thread here); a transposed operand or a batch of products takes a plain loop, ~10× slower (measured: the
 * fc2 weight gradient of ViT-S at 2 × 257 tokens, 423 ms as tfjs's own matMul gradient computes it, against
 * 18 ms for the forward product). `bTrains` false leaves `b` out of the gradient (a frozen weight), which then
 * costs no product.
 */
export function matMul2d(tf: TensorFlow, a: Tensor2D, b: Tensor2D, bTrains: boolean): Tensor2D {
  if (!bTrains) {
    const product = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
      const [left] = args as [Tensor2D, GradSaveFunc];
      return { value: tf.matMul(left, b) as Tensor2D, gradFunc: (dy: Tensor2D) => tf.matMul(dy, tf.transpose(b)) };
    });
    return product(a) as Tensor2D;
  }
  const product = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const [left, right, save] = args as [Tensor2D, Tensor2D, GradSaveFunc];
    save([left, right]);
    return {
      value: tf.matMul(left, right) as Tensor2D,
      gradFunc: (dy: Tensor2D, [savedLeft, savedRight]: Tensor[]) => [tf.matMul(dy, tf.transpose(savedRight as Tensor2D)), tf.matMul(tf.transpose(savedLeft as Tensor2D), dy)],
    };
  });
  return product(a, b) as Tensor2D;
}

/**
 * `x` cut along axis 0 into `pieces` equal parts by halving: tfjs-wasm's slice copies its whole input out of the
 * heap each time, so n parts cut at once cost n whole copies, halving about 2·log₂(n). (tfjs-core registers no
 * gradient for split; a slice's gradient pads it back to its input's size, one level of halving at a time.)
 */
function splitRows(tf: TensorFlow, x: Tensor2D, pieces: number): Tensor2D[] {
  if (pieces === 1) return [x];
  const [rows, cols] = x.shape;
  const first = Math.floor(pieces / 2);
  const cut = (first * rows) / pieces;
  return [...splitRows(tf, tf.slice(x, [0, 0], [cut, cols]), first), ...splitRows(tf, tf.slice(x, [cut, 0], [rows - cut, cols]), pieces - first)];
}

/**
 * Multi-head softmax(QKᵀ/√d_head)·V over the fused `qkv` rows `[batch · tokens, 3D]` (q, k, v blocks of D
 * columns, heads consecutive within each), returning the heads' outputs side by side, `[batch · tokens, D]`.
 * Each image's heads are separate 2-D products (`matMul2d`): tfjs-wasm runs a batched product over images and
 * heads ~10× slower than the same products one by one (46 ms against 8 ms for 12 heads of QKᵀ at 257 tokens).
 * The blocks come from one rank-3 transpose and halving splits (rank-4 and rank-5 transposes are slow there).
 */
export function multiHeadAttention(tf: TensorFlow, qkv: Tensor2D, batch: number, tokens: number, heads: number): Tensor2D {
  const d = qkv.shape[1] / 3;
  const headDim = d / heads;
  const products = batch * heads;
  // [B·T, 3H, d_head] → [3H, B·T, d_head]: block (part·H + head)·B + image is that image's [T, d_head] of q, k or v.
  const byHead = tf.reshape(tf.transpose(tf.reshape(qkv, [batch * tokens, 3 * heads, headDim]), [1, 0, 2]), [3 * products * tokens, headDim]) as Tensor2D;
  const blocks = splitRows(tf, byHead, 3 * products);
  const scale = 1 / Math.sqrt(headDim);
  const contexts = Array.from({ length: products }, (_, i) => {
    const query = tf.mul(blocks[i], scale) as Tensor2D;
    const attention = tf.softmax(matMul2d(tf, query, tf.transpose(blocks[products + i]), true));
    return matMul2d(tf, attention, blocks[2 * products + i], true);
  });
  // Contexts in (head, image) order: [H, B·T, d_head] → [B·T, H, d_head], the heads side by side.
  const context = tf.transpose(tf.reshape(tf.concat(contexts, 0), [heads, batch * tokens, headDim]), [1, 0, 2]);
  return tf.reshape(context, [batch * tokens, d]);
}
