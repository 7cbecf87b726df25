import { Random } from '@radprobe/core';
import type { ResolvedVitSpec } from './vit-spec.js';

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
  return { patchWeight, patchBias, clsToken, registerTokens, posEmbed, blocks, normWeight, normBias };
}
