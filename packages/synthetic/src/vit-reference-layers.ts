import { erf } from './erf.js';
import type { ResolvedVitSpec } from './vit-spec.js';
import type { VitBlockWeights } from './vit-weights.js';

/** DINOv2's layers in plain JavaScript (float64): the reference forward's, and the weight constructions' own. */

export function transformerBlock(spec: ResolvedVitSpec, weights: VitBlockWeights, tokens: Float64Array): Float64Array {
  const d = spec.embedDim;
  const attention = selfAttention(spec, weights, layerNorm(tokens, d, weights.norm1Weight, weights.norm1Bias));
  const afterAttention = new Float64Array(tokens.length);
  for (let index = 0; index < tokens.length; index++) {
    afterAttention[index] = tokens[index] + weights.layerScale1[index % d] * attention[index];
  }
  const normed2 = layerNorm(afterAttention, d, weights.norm2Weight, weights.norm2Bias);
  const hidden = linear(normed2, d, weights.fc1Weight, weights.fc1Bias);
  for (let index = 0; index < hidden.length; index++) {
    hidden[index] = 0.5 * hidden[index] * (1 + erf(hidden[index] / Math.SQRT2));
  }
  const mlp = linear(hidden, spec.mlpHidden, weights.fc2Weight, weights.fc2Bias);
  const out = new Float64Array(tokens.length);
  for (let index = 0; index < tokens.length; index++) {
    out[index] = afterAttention[index] + weights.layerScale2[index % d] * mlp[index];
  }
  return out;
}

/** Multi-head softmax(QKᵀ/√d_head)·V with the fused qkv projection, then the output projection. */
function selfAttention(spec: ResolvedVitSpec, weights: VitBlockWeights, normed: Float64Array): Float64Array {
  const { embedDim: d, heads, headDim } = spec;
  const count = normed.length / d;
  const qkv = linear(normed, d, weights.qkvWeight, weights.qkvBias);
  const context = new Float64Array(count * d);
  const scores = new Float64Array(count);
  const scale = 1 / Math.sqrt(headDim);
  for (let head = 0; head < heads; head++) {
    const offset = head * headDim;
    for (let query = 0; query < count; query++) {
      let max = -Infinity;
      for (let key = 0; key < count; key++) {
        let dot = 0;
        for (let j = 0; j < headDim; j++) dot += qkv[query * 3 * d + offset + j] * qkv[key * 3 * d + d + offset + j];
        scores[key] = dot * scale;
        max = Math.max(max, scores[key]);
      }
      let total = 0;
      for (let key = 0; key < count; key++) {
        scores[key] = Math.exp(scores[key] - max);
        total += scores[key];
      }
      for (let key = 0; key < count; key++) {
        const weight = scores[key] / total;
        for (let j = 0; j < headDim; j++) context[query * d + offset + j] += weight * qkv[key * 3 * d + 2 * d + offset + j];
      }
    }
  }
  return linear(context, d, weights.projWeight, weights.projBias);
}

/** Rows of x [T, inputs] times Wᵀ (W is [outputs, inputs]) plus b. */
function linear(x: Float64Array, inputs: number, weight: Float32Array, bias: Float32Array): Float64Array {
  const outputs = bias.length;
  const count = x.length / inputs;
  const out = new Float64Array(count * outputs);
  for (let row = 0; row < count; row++) {
    for (let o = 0; o < outputs; o++) {
      let sum = bias[o];
      for (let i = 0; i < inputs; i++) sum += x[row * inputs + i] * weight[o * inputs + i];
      out[row * outputs + o] = sum;
    }
  }
  return out;
}

export function layerNorm(x: Float64Array, d: number, weight: Float32Array, bias: Float32Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let row = 0; row < x.length / d; row++) {
    let mean = 0;
    for (let c = 0; c < d; c++) mean += x[row * d + c];
    mean /= d;
    let variance = 0;
    for (let c = 0; c < d; c++) variance += (x[row * d + c] - mean) ** 2;
    variance /= d;
    const inverse = 1 / Math.sqrt(variance + 1e-6);
    for (let c = 0; c < d; c++) out[row * d + c] = (x[row * d + c] - mean) * inverse * weight[c] + bias[c];
  }
  return out;
}
