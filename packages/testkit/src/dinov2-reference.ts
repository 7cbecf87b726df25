import { RadprobeError } from '@radprobe/core';
import { antialiasedBicubicTaps, bicubicTaps, resizeBicubic } from './bicubic.js';
import { resolveVitSpec } from './vit-spec.js';
import type { ResolvedVitSpec, VitSpec } from './vit-spec.js';
import { generateVitWeights } from './vit-weights.js';
import type { VitBlockWeights, VitWeights } from './vit-weights.js';
import { erf } from './erf.js';

/** Per exposed block (block order), final-normed tokens, batch-major: cls [B·D], patch [B·N·D], registers [B·R·D]. */
export interface Dinov2Features {
  cls: Float32Array[];
  patch: Float32Array[];
  registers: Float32Array[];
}

/**
 * The model `buildDinov2Onnx(spec)` exports, computed in plain JavaScript (float64), independently of the graph:
 * the check that the ONNX wiring is DINOv2's math. `pixels` is [batch, 3, h, w]. Exposed blocks are the last
 * `exposeBlocks` (meta) or the last one (hf). `weights` replaces the spec's generated weights (e.g. changed ones
 * written back into a file).
 */
export function dinov2Reference(
  spec: VitSpec,
  pixels: Float32Array,
  batch: number,
  h: number,
  w: number,
  weights: VitWeights = generateVitWeights(resolveVitSpec(spec)),
): Dinov2Features {
  const resolved = resolveVitSpec(spec);
  const { patchSize: p, embedDim: d, registers: r } = resolved;
  if (h % p !== 0 || w % p !== 0 || h <= 0 || w <= 0) {
    throw new RadprobeError(`dinov2Reference: input ${h}×${w} is not a positive multiple of the patch size ${p}`);
  }
  if (pixels.length !== batch * 3 * h * w) {
    throw new RadprobeError(
      `dinov2Reference: pixels has ${pixels.length} values, [${batch}, 3, ${h}, ${w}] needs ${batch * 3 * h * w}`,
    );
  }
  const gridH = h / p;
  const gridW = w / p;
  const patchCount = gridH * gridW;
  const positions = patchPositions(resolved, weights, gridH, gridW);
  const features: Dinov2Features = {
    cls: resolved.exposedBlocks.map(() => new Float32Array(batch * d)),
    patch: resolved.exposedBlocks.map(() => new Float32Array(batch * patchCount * d)),
    registers: resolved.exposedBlocks.map(() => new Float32Array(batch * r * d)),
  };
  const imageSize = 3 * h * w;
  for (let image = 0; image < batch; image++) {
    let tokens = embedImage(resolved, weights, pixels.subarray(image * imageSize, (image + 1) * imageSize), h, w, positions);
    for (let block = 0; block < resolved.depth; block++) {
      tokens = transformerBlock(resolved, weights.blocks[block], tokens);
      const slot = resolved.exposedBlocks.indexOf(block);
      if (slot < 0) continue;
      const normed = layerNorm(tokens, d, weights.normWeight, weights.normBias);
      features.cls[slot].set(normed.subarray(0, d), image * d);
      features.registers[slot].set(normed.subarray(d, (1 + r) * d), image * r * d);
      features.patch[slot].set(normed.subarray((1 + r) * d), image * patchCount * d);
    }
  }
  return features;
}

/** The positional grid interpolated to gridH × gridW, [N, D], the way the spec's model interpolates it. */
function patchPositions(spec: ResolvedVitSpec, weights: VitWeights, gridH: number, gridW: number): Float64Array {
  const { posGrid: g, embedDim: d, positionAntialias, positionScaleOffset } = spec;
  const taps = positionAntialias ? antialiasedBicubicTaps : (input: number, output: number) => bicubicTaps(input, output, positionScaleOffset ?? 0);
  return resizeBicubic(weights.posEmbed.subarray(d), g, g, d, gridH, gridW, taps);
}

/** [CLS + pos₀, registers, patch embeddings + interpolated positions] as [(1 + R + N), D]. */
function embedImage(
  spec: ResolvedVitSpec,
  weights: VitWeights,
  image: Float32Array,
  h: number,
  w: number,
  positions: Float64Array,
): Float64Array {
  const { patchSize: p, embedDim: d, registers: r } = spec;
  const gridH = h / p;
  const gridW = w / p;
  const tokens = new Float64Array((1 + r + gridH * gridW) * d);
  for (let c = 0; c < d; c++) tokens[c] = weights.clsToken[c] + weights.posEmbed[c];
  tokens.set(weights.registerTokens, d);
  const kernelSize = 3 * p * p;
  for (let py = 0; py < gridH; py++) {
    for (let px = 0; px < gridW; px++) {
      const patch = py * gridW + px;
      const base = (1 + r + patch) * d;
      for (let c = 0; c < d; c++) {
        let sum = weights.patchBias[c];
        for (let channel = 0; channel < 3; channel++) {
          for (let ky = 0; ky < p; ky++) {
            for (let kx = 0; kx < p; kx++) {
              const weight = weights.patchWeight[c * kernelSize + (channel * p + ky) * p + kx];
              sum += weight * image[(channel * h + py * p + ky) * w + px * p + kx];
            }
          }
        }
        tokens[base + c] = sum + positions[patch * d + c];
      }
    }
  }
  return tokens;
}

function transformerBlock(spec: ResolvedVitSpec, weights: VitBlockWeights, tokens: Float64Array): Float64Array {
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

function layerNorm(x: Float64Array, d: number, weight: Float32Array, bias: Float32Array): Float64Array {
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
