/** Initializer names of one block's parameters; `qkv` is fused (Meta) or split into q, k, v (Hugging Face). */
export interface BlockParameterNames {
  norm1Weight: string;
  norm1Bias: string;
  attention: { fused: { weight: string; bias: string } } | { split: { weight: string; bias: string }[] };
  projWeight: string;
  projBias: string;
  layerScale1: string;
  norm2Weight: string;
  norm2Bias: string;
  fc1Weight: string;
  fc1Bias: string;
  fc2Weight: string;
  fc2Bias: string;
  layerScale2: string;
}

export interface VitParameterNames {
  patchWeight: string;
  patchBias: string;
  clsToken: string;
  registerTokens: string;
  posEmbed: string;
  block(index: number): BlockParameterNames;
  normWeight: string;
  normBias: string;
}

/** The state-dict names of Meta's DINOv2 code (dinov2/models/vision_transformer.py). */
export const metaParameterNames: VitParameterNames = {
  patchWeight: 'patch_embed.proj.weight',
  patchBias: 'patch_embed.proj.bias',
  clsToken: 'cls_token',
  registerTokens: 'register_tokens',
  posEmbed: 'pos_embed',
  block: (index) => {
    const prefix = `blocks.${index}`;
    return {
      norm1Weight: `${prefix}.norm1.weight`,
      norm1Bias: `${prefix}.norm1.bias`,
      attention: { fused: { weight: `${prefix}.attn.qkv.weight`, bias: `${prefix}.attn.qkv.bias` } },
      projWeight: `${prefix}.attn.proj.weight`,
      projBias: `${prefix}.attn.proj.bias`,
      layerScale1: `${prefix}.ls1.gamma`,
      norm2Weight: `${prefix}.norm2.weight`,
      norm2Bias: `${prefix}.norm2.bias`,
      fc1Weight: `${prefix}.mlp.fc1.weight`,
      fc1Bias: `${prefix}.mlp.fc1.bias`,
      fc2Weight: `${prefix}.mlp.fc2.weight`,
      fc2Bias: `${prefix}.mlp.fc2.bias`,
      layerScale2: `${prefix}.ls2.gamma`,
    };
  },
  normWeight: 'norm.weight',
  normBias: 'norm.bias',
};

/** The state-dict names of Hugging Face's Dinov2Model / Dinov2WithRegistersModel. */
export const hfParameterNames: VitParameterNames = {
  patchWeight: 'embeddings.patch_embeddings.projection.weight',
  patchBias: 'embeddings.patch_embeddings.projection.bias',
  clsToken: 'embeddings.cls_token',
  registerTokens: 'embeddings.register_tokens',
  posEmbed: 'embeddings.position_embeddings',
  block: (index) => {
    const prefix = `encoder.layer.${index}`;
    const projection = (kind: string) => ({
      weight: `${prefix}.attention.attention.${kind}.weight`,
      bias: `${prefix}.attention.attention.${kind}.bias`,
    });
    return {
      norm1Weight: `${prefix}.norm1.weight`,
      norm1Bias: `${prefix}.norm1.bias`,
      attention: { split: [projection('query'), projection('key'), projection('value')] },
      projWeight: `${prefix}.attention.output.dense.weight`,
      projBias: `${prefix}.attention.output.dense.bias`,
      layerScale1: `${prefix}.layer_scale1.lambda1`,
      norm2Weight: `${prefix}.norm2.weight`,
      norm2Bias: `${prefix}.norm2.bias`,
      fc1Weight: `${prefix}.mlp.fc1.weight`,
      fc1Bias: `${prefix}.mlp.fc1.bias`,
      fc2Weight: `${prefix}.mlp.fc2.weight`,
      fc2Bias: `${prefix}.mlp.fc2.bias`,
      layerScale2: `${prefix}.layer_scale2.lambda1`,
    };
  },
  normWeight: 'layernorm.weight',
  normBias: 'layernorm.bias',
};
