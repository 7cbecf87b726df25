import { RadprobeError, type ParameterTensor, type PositionInterpolation, type VitArchitecture, type VitWeights } from '@radprobe/core';

/**
 * How a parameter is held for computation. `matrix`: a Linear (or the patch projection, a Linear over flattened
 * `[3, P, P]` patches) stored transposed as `[in, out]`, so that the forward multiplies without transposing;
 * `tensor`: stored as the flat values in the shape the forward uses.
 */
export type ParameterLayout = { kind: 'matrix'; outputs: number; inputs: number } | { kind: 'tensor'; shape: number[] };

export interface ParameterSpec {
  /** Canonical (Meta state-dict) name. */
  name: string;
  layout: ParameterLayout;
}

const matrix = (name: string, outputs: number, inputs: number): ParameterSpec => ({ name, layout: { kind: 'matrix', outputs, inputs } });
const tensor = (name: string, shape: number[]): ParameterSpec => ({ name, layout: { kind: 'tensor', shape } });

/** Every parameter the forward reads, in network order. */
export function vitParameterSpecs(architecture: VitArchitecture): ParameterSpec[] {
  const { embedDim: d, depth, patchSize: p, mlpHidden, registerTokens, positionGrid } = architecture;
  const specs = [
    matrix('patch_embed.proj.weight', d, 3 * p * p),
    tensor('patch_embed.proj.bias', [d]),
    tensor('cls_token', [1, 1, d]),
    ...(registerTokens > 0 ? [tensor('register_tokens', [1, registerTokens, d])] : []),
    tensor('pos_embed', [1 + positionGrid * positionGrid, d]),
  ];
  for (let block = 0; block < depth; block++) {
    const prefix = `blocks.${block}`;
    specs.push(
      tensor(`${prefix}.norm1.weight`, [d]),
      tensor(`${prefix}.norm1.bias`, [d]),
      matrix(`${prefix}.attn.qkv.weight`, 3 * d, d),
      tensor(`${prefix}.attn.qkv.bias`, [3 * d]),
      matrix(`${prefix}.attn.proj.weight`, d, d),
      tensor(`${prefix}.attn.proj.bias`, [d]),
      tensor(`${prefix}.ls1.gamma`, [d]),
      tensor(`${prefix}.norm2.weight`, [d]),
      tensor(`${prefix}.norm2.bias`, [d]),
      matrix(`${prefix}.mlp.fc1.weight`, mlpHidden, d),
      tensor(`${prefix}.mlp.fc1.bias`, [mlpHidden]),
      matrix(`${prefix}.mlp.fc2.weight`, d, mlpHidden),
      tensor(`${prefix}.mlp.fc2.bias`, [d]),
      tensor(`${prefix}.ls2.gamma`, [d]),
    );
  }
  specs.push(tensor('norm.weight', [d]), tensor('norm.bias', [d]));
  return specs;
}

export function layoutSize(layout: ParameterLayout): number {
  return layout.kind === 'matrix' ? layout.outputs * layout.inputs : layout.shape.reduce((a, b) => a * b, 1);
}

/** Checks the architecture's sizes, so that every later shape mismatch is the weights' fault and says so. */
export function validateArchitecture(architecture: VitArchitecture): void {
  const integers: Array<keyof VitArchitecture> = ['embedDim', 'depth', 'heads', 'patchSize', 'mlpHidden', 'positionGrid'];
  for (const field of integers) {
    const value = architecture[field];
    if (!Number.isInteger(value) || (value as number) < 1) throw new RadprobeError(`ViT architecture: ${field} ${String(value)} must be a positive integer`, { pointer: `/architecture/${field}` });
  }
  if (!Number.isInteger(architecture.registerTokens) || architecture.registerTokens < 0) {
    throw new RadprobeError(`ViT architecture: registerTokens ${architecture.registerTokens} must be a non-negative integer`, { pointer: '/architecture/registerTokens' });
  }
  if (architecture.embedDim % architecture.heads !== 0) {
    throw new RadprobeError(`ViT architecture: heads ${architecture.heads} does not divide embedDim ${architecture.embedDim}`, { pointer: '/architecture/heads' });
  }
  if (!(architecture.layerNormEpsilon > 0)) {
    throw new RadprobeError(`ViT architecture: layerNormEpsilon ${architecture.layerNormEpsilon} must be positive`, { pointer: '/architecture/layerNormEpsilon' });
  }
  if (!knownInterpolation(architecture.positionInterpolation)) {
    throw new RadprobeError(
      `ViT architecture: positionInterpolation ${JSON.stringify(architecture.positionInterpolation)} is not { mode: 'size', antialias? }, { mode: 'scale', offset } or { mode: 'fixed' }`,
      { pointer: '/architecture/positionInterpolation' },
    );
  }
}

function knownInterpolation(interpolation: PositionInterpolation): boolean {
  switch (interpolation.mode) {
    case 'size':
      return interpolation.antialias === undefined || typeof interpolation.antialias === 'boolean';
    case 'scale':
      return Number.isFinite(interpolation.offset);
    case 'fixed':
      return true;
    default:
      return false;
  }
}

/** The parameter `spec.name` of `weights`, checked for presence and size (any shape with the right element count). */
export function parameterOf(weights: VitWeights, spec: ParameterSpec): ParameterTensor {
  const parameter = weights.parameters.get(spec.name);
  if (!parameter) throw new RadprobeError(`ViT weights: parameter '${spec.name}' is missing`, { pointer: `/parameters/${spec.name}` });
  const expected = layoutSize(spec.layout);
  const count = parameter.shape.reduce((a, b) => a * b, 1);
  if (parameter.values.length !== expected || count !== expected) {
    throw new RadprobeError(
      `ViT weights: parameter '${spec.name}' has shape [${parameter.shape.join(', ')}] with ${parameter.values.length} values; the architecture needs ${expected}`,
      { pointer: `/parameters/${spec.name}` },
    );
  }
  return parameter;
}
