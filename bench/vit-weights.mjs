// Shared by the fine-tuning benchmarks: a ViT's weights in the layout @radprobe/protocol-peft reads.

const PATCH = 14;
/** Random DINOv2-style weights from `random` (patch 14, no registers, position grid `GRID`: 16 by default, so 224 needs no interpolation). */
export function vitWeights(random, D, depth, heads, GRID = 16) {
  const hidden = 4 * D;
  const parameters = new Map();
  const add = (name, shape, std, mean = 0) => {
    const count = shape.reduce((a, b) => a * b, 1);
    parameters.set(name, { shape, values: Float32Array.from({ length: count }, () => mean + std * random.normal()) });
  };
  add('patch_embed.proj.weight', [D, 3, PATCH, PATCH], 1 / Math.sqrt(3 * PATCH * PATCH));
  add('patch_embed.proj.bias', [D], 0.02);
  add('cls_token', [1, 1, D], 0.02);
  add('pos_embed', [1, 1 + GRID * GRID, D], 0.02);
  for (let b = 0; b < depth; b++) {
    const p = `blocks.${b}`;
    add(`${p}.norm1.weight`, [D], 0.02, 1);
    add(`${p}.norm1.bias`, [D], 0.02);
    add(`${p}.attn.qkv.weight`, [3 * D, D], 1 / Math.sqrt(D));
    add(`${p}.attn.qkv.bias`, [3 * D], 0.02);
    add(`${p}.attn.proj.weight`, [D, D], 1 / Math.sqrt(D));
    add(`${p}.attn.proj.bias`, [D], 0.02);
    add(`${p}.ls1.gamma`, [D], 0.01, 0.1);
    add(`${p}.norm2.weight`, [D], 0.02, 1);
    add(`${p}.norm2.bias`, [D], 0.02);
    add(`${p}.mlp.fc1.weight`, [hidden, D], 1 / Math.sqrt(D));
    add(`${p}.mlp.fc1.bias`, [hidden], 0.02);
    add(`${p}.mlp.fc2.weight`, [D, hidden], 1 / Math.sqrt(hidden));
    add(`${p}.mlp.fc2.bias`, [D], 0.02);
    add(`${p}.ls2.gamma`, [D], 0.01, 0.1);
  }
  add('norm.weight', [D], 0.02, 1);
  add('norm.bias', [D], 0.02);
  return {
    architecture: { embedDim: D, depth, heads, patchSize: PATCH, mlpHidden: hidden, registerTokens: 0, positionGrid: GRID, layerNormEpsilon: 1e-6, positionInterpolation: { mode: 'size' } },
    parameters,
  };
}
