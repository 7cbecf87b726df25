/**
 * Where a file's parameter belongs among the canonical (Meta DINOv2 state-dict) parameters: its name, and for
 * Hugging Face's split attention which third of the fused `qkv` rows it fills (0 = q, 1 = k, 2 = v).
 */
export interface CanonicalSlot {
  name: string;
  part: number;
  /** How many parts the canonical parameter is split into in this file (3 for HF's q, k, v; else 1). */
  parts: number;
}

interface NamingRule {
  pattern: RegExp;
  slot(match: RegExpMatchArray): CanonicalSlot;
}

const whole = (name: string): CanonicalSlot => ({ name, part: 0, parts: 1 });
const QKV_PARTS = ['query', 'key', 'value'];

// Any module prefix is allowed (`model.`, `dinov2.`): exporters often wrap the network in another module.
const prefix = '^(?:.*\\.)?';
const rule = (pattern: string, slot: (match: RegExpMatchArray) => CanonicalSlot): NamingRule => ({ pattern: new RegExp(`${prefix}${pattern}$`), slot });

/** Hugging Face's Dinov2Model / Dinov2WithRegistersModel names first, then Meta's own. */
const RULES: NamingRule[] = [
  rule('embeddings\\.patch_embeddings\\.projection\\.(weight|bias)', (m) => whole(`patch_embed.proj.${m[1]}`)),
  rule('embeddings\\.cls_token', () => whole('cls_token')),
  rule('embeddings\\.register_tokens', () => whole('register_tokens')),
  rule('embeddings\\.position_embeddings', () => whole('pos_embed')),
  rule('encoder\\.layer\\.(\\d+)\\.(norm1|norm2|mlp\\.fc1|mlp\\.fc2)\\.(weight|bias)', (m) => whole(`blocks.${m[1]}.${m[2]}.${m[3]}`)),
  rule('encoder\\.layer\\.(\\d+)\\.attention\\.attention\\.(query|key|value)\\.(weight|bias)', (m) => ({
    name: `blocks.${m[1]}.attn.qkv.${m[3]}`,
    part: QKV_PARTS.indexOf(m[2]),
    parts: 3,
  })),
  rule('encoder\\.layer\\.(\\d+)\\.attention\\.output\\.dense\\.(weight|bias)', (m) => whole(`blocks.${m[1]}.attn.proj.${m[2]}`)),
  rule('encoder\\.layer\\.(\\d+)\\.layer_scale([12])\\.lambda1', (m) => whole(`blocks.${m[1]}.ls${m[2]}.gamma`)),
  rule('layernorm\\.(weight|bias)', (m) => whole(`norm.${m[1]}`)),
  rule('patch_embed\\.proj\\.(weight|bias)', (m) => whole(`patch_embed.proj.${m[1]}`)),
  rule('(cls_token|register_tokens|pos_embed)', (m) => whole(m[1])),
  rule('blocks\\.(\\d+)\\.(norm1|norm2|attn\\.qkv|attn\\.proj|mlp\\.fc1|mlp\\.fc2)\\.(weight|bias)', (m) => whole(`blocks.${m[1]}.${m[2]}.${m[3]}`)),
  rule('blocks\\.(\\d+)\\.(ls[12])\\.gamma', (m) => whole(`blocks.${m[1]}.${m[2]}.gamma`)),
  rule('norm\\.(weight|bias)', (m) => whole(`norm.${m[1]}`)),
];

/** The canonical slot of a state-dict name in either naming, or null for names outside the ViT (mask_token, …). */
export function canonicalSlot(stateDictName: string): CanonicalSlot | null {
  for (const { pattern, slot } of RULES) {
    const match = stateDictName.match(pattern);
    if (match) return slot(match);
  }
  return null;
}

/**
 * The state-dict name of a Linear layer's weight or bias from the name torch.onnx gives the node that uses it
 * (`/encoder/layer.0/attention/attention/query/MatMul` → `encoder.layer.0.attention.attention.query.weight`):
 * the node's scope is the module path, its last segment the op.
 */
export function parameterOfNode(nodeName: string, parameter: 'weight' | 'bias'): string | null {
  const segments = nodeName.split('/').filter((segment) => segment.length > 0);
  if (segments.length < 2) return null;
  return `${segments.slice(0, -1).join('.')}.${parameter}`;
}

/** Every canonical parameter a DINOv2 ViT of `depth` blocks must have (`register_tokens` only with registers). */
export function requiredParameters(depth: number): string[] {
  const block = (index: number) =>
    ['norm1.weight', 'norm1.bias', 'attn.qkv.weight', 'attn.qkv.bias', 'attn.proj.weight', 'attn.proj.bias', 'ls1.gamma']
      .concat(['norm2.weight', 'norm2.bias', 'mlp.fc1.weight', 'mlp.fc1.bias', 'mlp.fc2.weight', 'mlp.fc2.bias', 'ls2.gamma'])
      .map((name) => `blocks.${index}.${name}`);
  return [
    'patch_embed.proj.weight',
    'patch_embed.proj.bias',
    'cls_token',
    'pos_embed',
    ...Array.from({ length: depth }, (_, index) => block(index)).flat(),
    'norm.weight',
    'norm.bias',
  ];
}
