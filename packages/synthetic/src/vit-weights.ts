import { Random } from '@radprobe/core';
import { layerNorm, transformerBlock } from './vit-reference-layers.js';
import { IMAGENET_NORMALIZATION, type ResolvedVitSpec } from './vit-spec.js';

/** One transformer block's parameters, in PyTorch layouts (Linear weights are [out, in]). */
export interface VitBlockWeights {
  norm1Weight: Float32Array;
  norm1Bias: Float32Array;
  /** Fused q, k, v projection [3D, D]: rows 0..D-1 are q, then k, then v (Meta's layout). */
  qkvWeight: Float32Array;
  qkvBias: Float32Array;
  projWeight: Float32Array;
  projBias: Float32Array;
  layerScale1: Float32Array;
  norm2Weight: Float32Array;
  norm2Bias: Float32Array;
  fc1Weight: Float32Array;
  fc1Bias: Float32Array;
  fc2Weight: Float32Array;
  fc2Bias: Float32Array;
  layerScale2: Float32Array;
}

export interface VitWeights {
  /** [D, 3, P, P] */
  patchWeight: Float32Array;
  patchBias: Float32Array;
  /** [D] */
  clsToken: Float32Array;
  /** [R, D] */
  registerTokens: Float32Array;
  /** [1 + G², D]: the CLS position first, then the G×G grid row by row. */
  posEmbed: Float32Array;
  blocks: VitBlockWeights[];
  normWeight: Float32Array;
  normBias: Float32Array;
}

/**
 * Weights drawn from `Random(seed)` in a fixed order that depends only on the architecture (not on the export
 * style), so the HF and Meta exports of one spec compute the same function. Linear layers use trunc-normal with
 * std 1/√fan_in rather than DINOv2's 0.02 init: with 0.02 the attention logits of a tiny model are ~0, softmax is
 * uniform and a wrong attention wiring would go unnoticed; at 1/√fan_in every path visibly shapes the output
 * while activations stay O(1).
 */
export function generateVitWeights(spec: ResolvedVitSpec): VitWeights {
  const random = new Random(spec.seed);
  const { embedDim: d, mlpHidden: hidden, patchSize: p } = spec;
  const normal = (count: number, std: number, mean = 0) => {
    const out = new Float32Array(count);
    for (let index = 0; index < count; index++) out[index] = mean + std * random.normal();
    return out;
  };
  const truncNormal = (count: number, std: number) => {
    const out = new Float32Array(count);
    for (let index = 0; index < count; index++) {
      let z = random.normal();
      while (Math.abs(z) > 2) z = random.normal();
      out[index] = std * z;
    }
    return out;
  };
  const linear = (outputs: number, inputs: number) => truncNormal(outputs * inputs, 1 / Math.sqrt(inputs));
  const layerScale = () => {
    const out = normal(d, 0.1, 1);
    for (let index = 0; index < d; index++) out[index] *= spec.layerScaleInit;
    return out;
  };

  const patchWeight = linear(d, 3 * p * p);
  const patchBias = normal(d, 0.05);
  const clsToken = normal(d, 0.5);
  const registerTokens = normal(spec.registers * d, 0.5);
  const posEmbed = normal((1 + spec.posGrid * spec.posGrid) * d, 0.5);
  const blocks: VitBlockWeights[] = [];
  for (let block = 0; block < spec.depth; block++) {
    blocks.push({
      norm1Weight: normal(d, 0.1, 1),
      norm1Bias: normal(d, 0.1),
      qkvWeight: linear(3 * d, d),
      qkvBias: normal(3 * d, 0.05),
      projWeight: linear(d, d),
      projBias: normal(d, 0.05),
      layerScale1: layerScale(),
      norm2Weight: normal(d, 0.1, 1),
      norm2Bias: normal(d, 0.1),
      fc1Weight: linear(hidden, d),
      fc1Bias: normal(hidden, 0.05),
      fc2Weight: linear(d, hidden),
      fc2Bias: normal(d, 0.05),
      layerScale2: layerScale(),
    });
  }
  const normWeight = normal(d, 0.1, 1);
  const normBias = normal(d, 0.1);
  const weights = { patchWeight, patchBias, clsToken, registerTokens, posEmbed, blocks, normWeight, normBias };
  if (spec.clsContentAsScale) hideClsContentInScale(weights, spec);
  return weights;
}

/** Bound on |κ·s| below (s: the last block's value read, see below), so that 1 + κ·s stays positive. */
const SCALE_BOUND = 0.9;

/**
 * How many times larger than generated the CLS stream and the last block's layer scales are made. The CLS token's
 * variance before the final norm grows from ~0.5 to ~200, where float32 rounds `variance + 1e-6` to the variance.
 */
const CLS_STREAM_SCALE = 20;

/** Gray levels (scaled to [0, 1], before the backbone's normalisation) of a dark lung patch and of soft-tissue density. */
const DARK_GRAY = 0.25;
const BRIGHT_GRAY = 0.8;

/**
 * Rewrites the weights so that the CLS token's final-normed features are 0 for every image, while the image still
 * shapes the CLS token before the final LayerNorm, as a rescaling of it:
 *
 * - every block but the last reads no value (the value rows of qkv are zero; its value bias stays): attention
 *   hands every token the same constant, so the CLS token's stream c is one vector for all images, and each patch
 *   token runs those blocks on its own;
 * - in the last block, head 0 attends to every token alike (its query rows and bias are 0) and reads one value,
 *   channel 0, along the direction r in which a patch's brightness moves its token there (from a dark lung patch to
 *   soft-tissue density, averaged over the trained positions): `s = mean over tokens of r · LN₁(xⱼ)`, how bright the
 *   image is as that block sees it. Its projection writes s as `κ · s · (c − mean(c))`: the CLS token leaves the
 *   block as `(1 + κ·s)·(c − mean(c)) + mean(c)`, with κ small enough that 1 + κ·s > 0 for any input
 *   (|r · LN₁(x)| ≤ |LN₁(x)| ≤ √D·max|γ₁| + |β₁|); the other value rows and the value bias are 0;
 * - the last block's MLP writes nothing (fc2's weight and bias zero) and its projection bias is zero;
 * - the CLS token and its position are CLS_STREAM_SCALE times larger, and so are the last block's layer scales.
 *
 * The final LayerNorm removes a token's mean and scale, so the CLS features equal LN(c) for every image, and its
 * bias is set to −γ ⊙ (c − mean(c)) / σ(c), so those features are 0. Any bias that adds a vector not parallel to
 * c − mean(c) before that norm (the last block's fc2, projection or value bias, or an earlier block's) makes the
 * features depend on 1 / (1 + κ·s): BitFit, LoRA (whose adapted layers' biases train) and full fine-tuning can all
 * expose s, which the frozen CLS token hides.
 *
 * Why the read is brightness: BitFit cannot change a weight, so it cannot change which direction the value reads,
 * and the attention it can change only through the query bias, whose gradient is 0 until a bias has exposed the
 * scale (the features do not depend on s before): what BitFit exposes is a fixed function of s. With the generated
 * (random) read direction and attention, s carried little of the effusion on two of the three demo ViTs, and BitFit
 * stayed at chance there; the effusion fills a lung base with soft-tissue density, so brightness carries it.
 *
 * Why the stream is large: the norm divides by √(variance + ε), and with a variance of ~0.5, ε = 1e-6 leaks a
 * monotone function of s into the frozen features at ~1e-6 of their size, above float32's rounding (6e-8): with
 * s as informative as brightness, a frozen probe ranked the images by that leak. At ~200 the variance swallows ε
 * in float32 and the frozen features are rounding alone. The last block's layer scales grow with the stream, so
 * that what it adds to the CLS token (its biases' shifts included) keeps its size against the stream, and a bias
 * exposes the scale as strongly as before: a bias's gradient through the norm's 1/σ shrinks by the same factor.
 */
function hideClsContentInScale(weights: VitWeights, spec: ResolvedVitSpec): void {
  const d = spec.embedDim;
  const blocks = weights.blocks;
  const last = blocks[blocks.length - 1];
  for (const block of blocks) block.qkvWeight.fill(0, 2 * d * d, 3 * d * d);
  const read = brightnessDirection(weights, spec);
  for (let c = 0; c < d; c++) {
    weights.clsToken[c] *= CLS_STREAM_SCALE;
    weights.posEmbed[c] *= CLS_STREAM_SCALE;
    last.layerScale1[c] *= CLS_STREAM_SCALE;
    last.layerScale2[c] *= CLS_STREAM_SCALE;
  }
  // The CLS stream before the last block: with no value read, attention gives it W_proj·b_v + b_proj whatever the
  // other tokens are, so the CLS token alone runs the blocks as it does among the patches.
  let cls: Float64Array = Float64Array.from(weights.clsToken, (value, c) => value + weights.posEmbed[c]);
  for (const block of blocks.slice(0, -1)) cls = transformerBlock(spec, block, cls);
  const mean = cls.reduce((sum, value) => sum + value, 0) / d;
  // Head 0 of the last block: no query (uniform attention); its value channel 0 reads r, nothing else is read.
  last.qkvWeight.fill(0, 0, spec.headDim * d);
  last.qkvBias.fill(0, 0, spec.headDim);
  last.qkvWeight.set(read, 2 * d * d);
  last.qkvBias.fill(0, 2 * d, 3 * d);
  const readBound = Math.sqrt(d) * Math.max(...last.norm1Weight.map(Math.abs)) + Math.hypot(...last.norm1Bias);
  const kappa = SCALE_BOUND / readBound;
  // Projection column 0 (head 0's channel 0) writes κ·(c − mean(c)) through the layer scale; its bias is 0.
  for (let row = 0; row < d; row++) last.projWeight[row * d] = (kappa * (cls[row] - mean)) / last.layerScale1[row];
  last.projBias.fill(0);
  last.fc2Weight.fill(0);
  last.fc2Bias.fill(0);
  // The final norm's bias cancels its output for the CLS token, so the frozen CLS features are 0: a head's random
  // weights then give every image logit exactly its bias, and the first gradient a bias shift gets carries the
  // labels alone (with w·LN(c) ≠ 0, its class-independent part (p − ½)·Σᵢ 1/(1 + κ·sᵢ) outweighed the class
  // term and set which way the exposed scale ranked the images).
  const normed = layerNorm(cls, d, weights.normWeight, new Float32Array(d));
  weights.normBias.set(normed.map((value) => -value));
}

/**
 * The unit direction in which a patch's token at the last block's first norm moves when the patch turns from a
 * dark lung (DARK_GRAY) to soft-tissue density (BRIGHT_GRAY): uniform gray patches, normalised as the study's
 * preprocessing does for these exports (ImageNet's mean and std), embedded at each trained position and run through
 * the blocks before the last on their own, which is exact once those blocks read no value: attention then hands a
 * token the same constant whatever the other tokens are.
 */
function brightnessDirection(weights: VitWeights, spec: ResolvedVitSpec): Float32Array {
  const { embedDim: d, patchSize: p, posGrid } = spec;
  const last = weights.blocks[spec.depth - 1];
  const area = p * p;
  const tokenAt = (gray: number, position: number) => {
    let token: Float64Array = new Float64Array(d);
    for (let c = 0; c < d; c++) {
      let sum = weights.patchBias[c] + weights.posEmbed[(1 + position) * d + c];
      for (let channel = 0; channel < 3; channel++) {
        const value = (gray - IMAGENET_NORMALIZATION.mean[channel]) / IMAGENET_NORMALIZATION.std[channel];
        for (let k = 0; k < area; k++) sum += weights.patchWeight[c * 3 * area + channel * area + k] * value;
      }
      token[c] = sum;
    }
    for (const block of weights.blocks.slice(0, -1)) token = transformerBlock(spec, block, token);
    return layerNorm(token, d, last.norm1Weight, last.norm1Bias);
  };
  const direction = new Float64Array(d);
  for (let position = 0; position < posGrid * posGrid; position++) {
    const bright = tokenAt(BRIGHT_GRAY, position);
    const dark = tokenAt(DARK_GRAY, position);
    for (let c = 0; c < d; c++) direction[c] += bright[c] - dark[c];
  }
  const length = Math.hypot(...direction);
  return Float32Array.from(direction, (value) => value / length);
}
