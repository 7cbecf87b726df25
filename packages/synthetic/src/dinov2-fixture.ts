import { join } from 'node:path';
import { writeFileAtomic } from '@radprobe/core';
import { buildDinov2Onnx } from './dinov2-onnx.js';
import { IMAGENET_NORMALIZATION, resolveVitSpec } from './vit-spec.js';
import type { ResolvedVitSpec, VitSpec } from './vit-spec.js';

/**
 * Writes the model into `dir` (or `dir/<name>`) and returns the `.onnx` path. HF style mirrors a Hugging Face
 * ONNX repository (onnx-community/dinov2-small): `config.json` and `preprocessor_config.json` at the top,
 * the graph in `onnx/model.onnx`. Meta style is a lone `model.onnx`, as a user's own torch.onnx export would be.
 */
export async function writeDinov2Fixture(dir: string, spec: VitSpec, name?: string): Promise<string> {
  const resolved = resolveVitSpec(spec);
  const root = name === undefined ? dir : join(dir, name);
  const bytes = buildDinov2Onnx(spec);
  if (resolved.style === 'meta') {
    const path = join(root, 'model.onnx');
    await writeFileAtomic(path, bytes);
    return path;
  }
  const path = join(root, 'onnx', 'model.onnx');
  await writeFileAtomic(path, bytes);
  await writeFileAtomic(join(root, 'config.json'), `${JSON.stringify(hfConfig(resolved), null, 2)}\n`);
  await writeFileAtomic(join(root, 'preprocessor_config.json'), `${JSON.stringify(hfPreprocessorConfig(resolved), null, 2)}\n`);
  return path;
}

/** config.json as transformers writes it for Dinov2Model / Dinov2WithRegistersModel. */
function hfConfig(spec: ResolvedVitSpec): Record<string, unknown> {
  const withRegisters = spec.registers > 0;
  return {
    architectures: [withRegisters ? 'Dinov2WithRegistersModel' : 'Dinov2Model'],
    attention_probs_dropout_prob: 0.0,
    drop_path_rate: 0.0,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.0,
    hidden_size: spec.embedDim,
    image_size: spec.posGrid * spec.patchSize,
    initializer_range: 0.02,
    layer_norm_eps: 1e-6,
    layerscale_value: spec.layerScaleInit,
    mlp_ratio: spec.mlpHidden / spec.embedDim,
    model_type: withRegisters ? 'dinov2_with_registers' : 'dinov2',
    num_attention_heads: spec.heads,
    num_channels: 3,
    num_hidden_layers: spec.depth,
    ...(withRegisters ? { num_register_tokens: spec.registers } : {}),
    patch_size: spec.patchSize,
    qkv_bias: true,
    torch_dtype: 'float32',
    transformers_version: '4.47.0',
    use_swiglu_ffn: false,
  };
}

/**
 * preprocessor_config.json of the facebook/dinov2-* repositories (BitImageProcessor: resize the shorter side to
 * 256, bicubic, centre-crop 224, ImageNet mean/std), scaled to this model's native input side.
 */
function hfPreprocessorConfig(spec: ResolvedVitSpec): Record<string, unknown> {
  const crop = spec.posGrid * spec.patchSize;
  return {
    crop_size: { height: crop, width: crop },
    do_center_crop: true,
    do_convert_rgb: true,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: [...IMAGENET_NORMALIZATION.mean],
    image_processor_type: 'BitImageProcessor',
    image_std: [...IMAGENET_NORMALIZATION.std],
    resample: 3,
    rescale_factor: 0.00392156862745098,
    size: { shortest_edge: Math.round((crop * 256) / 224) },
  };
}
