import { RadprobeError } from '@radprobe/core';
import { antialiasedBicubicTaps, bicubicTaps, resizeBicubic } from './bicubic.js';
import { resolveVitSpec } from './vit-spec.js';
import type { ResolvedVitSpec, VitSpec } from './vit-spec.js';
import { generateVitWeights } from './vit-weights.js';
import type { VitWeights } from './vit-weights.js';
import { layerNorm, transformerBlock } from './vit-reference-layers.js';

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
