import type { ParameterTensor } from '@radprobe/core';
import { metaParameterNames } from './vit-names.js';
import { resolveVitSpec } from './vit-spec.js';
import type { VitSpec } from './vit-spec.js';
import { generateVitWeights } from './vit-weights.js';
import type { VitWeights } from './vit-weights.js';

/**
 * A ViT's weights (by default the spec's generated ones) as the parameter map of core's `VitWeights`: Meta's
 * state-dict names with their PyTorch shapes, q, k, v fused; `register_tokens` only when the spec has registers.
 * What `TrainableBackbone.weights()` must return for a fixture of this spec, in either export style.
 */
export function canonicalVitParameters(spec: VitSpec, weights?: VitWeights): Map<string, ParameterTensor> {
  const resolved = resolveVitSpec(spec);
  const { embedDim: d, mlpHidden: hidden, patchSize: p, posGrid: g, registers: r } = resolved;
  const source = weights ?? generateVitWeights(resolved);
  const names = metaParameterNames;
  const parameters = new Map<string, ParameterTensor>();
  const put = (name: string, shape: number[], values: Float32Array) => parameters.set(name, { shape, values: Float32Array.from(values) });
  put(names.patchWeight, [d, 3, p, p], source.patchWeight);
  put(names.patchBias, [d], source.patchBias);
  put(names.clsToken, [1, 1, d], source.clsToken);
  if (r > 0) put(names.registerTokens, [1, r, d], source.registerTokens);
  put(names.posEmbed, [1, 1 + g * g, d], source.posEmbed);
  source.blocks.forEach((block, index) => {
    const blockNames = names.block(index);
    const qkv = `blocks.${index}.attn.qkv`;
    put(blockNames.norm1Weight, [d], block.norm1Weight);
    put(blockNames.norm1Bias, [d], block.norm1Bias);
    put(`${qkv}.weight`, [3 * d, d], block.qkvWeight);
    put(`${qkv}.bias`, [3 * d], block.qkvBias);
    put(blockNames.projWeight, [d, d], block.projWeight);
    put(blockNames.projBias, [d], block.projBias);
    put(blockNames.layerScale1, [d], block.layerScale1);
    put(blockNames.norm2Weight, [d], block.norm2Weight);
    put(blockNames.norm2Bias, [d], block.norm2Bias);
    put(blockNames.fc1Weight, [hidden, d], block.fc1Weight);
    put(blockNames.fc1Bias, [hidden], block.fc1Bias);
    put(blockNames.fc2Weight, [d, hidden], block.fc2Weight);
    put(blockNames.fc2Bias, [d], block.fc2Bias);
    put(blockNames.layerScale2, [d], block.layerScale2);
  });
  put(names.normWeight, [d], source.normWeight);
  put(names.normBias, [d], source.normBias);
  return parameters;
}
