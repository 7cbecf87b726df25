import { RadprobeError, type Normalization } from '@radprobe/core';
import type { HfModelConfig } from './hf-config.js';
import type { OnnxManifest } from './onnx-manifest.js';

/** Name, element type and shape of a graph input or output, as onnxruntime reports them (dims may be symbolic). */
export interface GraphValue {
  name: string;
  /** Element type (`float32`, …), or `undefined` for a non-tensor value. */
  type: string | undefined;
  /** Empty when the graph does not declare a shape. */
  shape: ReadonlyArray<number | string>;
}

/** Where the tokens of each exposed block come from. */
export type TokenSource =
  /** One `[B, 1 + R + N, D]` sequence output per block: CLS, then R registers, then the patch tokens. */
  | { kind: 'sequence'; outputs: string[] }
  /** Separate `[B, D]` CLS and `[B, N, D]` patch outputs per block (registers already dropped by the export). */
  | { kind: 'pairs'; cls: string[]; patch: string[] };

/** How to feed the graph and read its outputs, with everything the backbone reports about itself. */
export interface TokenLayout {
  style: 'hf' | 'meta' | 'manifest';
  inputName: string;
  source: TokenSource;
  /** An output that must equal the final block's CLS token (HF `pooler_output`), checked on the first batch. */
  poolerOutput: string | null;
  patchSize: number;
  inputSize: { height: number; width: number };
  dynamicInputSize: boolean;
  /** `null` when only a forward pass can tell (symbolic output width and no config). */
  embedDim: number | null;
  /** `null` when only a forward pass can tell (symbolic sequence length and no config or manifest). */
  registerTokens: number | null;
  totalBlocks: number | null;
  /**
   * 0-based block indices, ascending. When the network's depth is unknown they are counted from the end
   * (`-1` = the final block), since which blocks of the network they are cannot be known.
   */
  exposedBlocks: number[];
  normalization: Normalization;
  /** What was inferred rather than read from a manifest or config, one sentence each (for the log). */
  inferred: string[];
}

/** The images' own settings a user may override in the backbone entry. */
export interface LayoutOverrides {
  inputSize?: number | { height: number; width: number };
}

export const IMAGENET_NORMALIZATION: Normalization = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const DEFAULT_PATCH_SIZE = 14;
const DEFAULT_INPUT_SIDE = 224;
/** The register counts DINOv2 checkpoints come with; any other inferred count means the layout was misread. */
const KNOWN_REGISTER_COUNTS = [0, 4];

function describeValue(value: GraphValue): string {
  return `"${value.name}" (${value.type ?? 'not a tensor'} [${value.shape.join(', ')}])`;
}

function staticDim(dim: number | string | undefined): number | null {
  return typeof dim === 'number' && dim > 0 ? dim : null;
}

function checkImageInput(inputs: GraphValue[], modelPath: string): GraphValue {
  const input = inputs[0];
  if (!input) throw new RadprobeError(`${modelPath} has no inputs; expected an image tensor [B, 3, H, W]`, { file: modelPath });
  const channels = input.shape[1];
  const isImage =
    input.type === 'float32' && input.shape.length === 4 && (typeof channels === 'string' || channels === 3);
  if (!isImage) {
    throw new RadprobeError(
      `${modelPath}: the first input must be a float32 image tensor [B, 3, H, W], but it is ${describeValue(input)}`,
      { file: modelPath },
    );
  }
  if (inputs.length > 1) {
    throw new RadprobeError(
      `${modelPath} has ${inputs.length} inputs (${inputs.map(describeValue).join(', ')}); ` +
        'radprobe feeds only the image, so the model must have exactly one input',
      { file: modelPath },
    );
  }
  return input;
}

function findOutput(outputs: GraphValue[], name: string, rank: number, where: string, modelPath: string): GraphValue {
  const output = outputs.find((candidate) => candidate.name === name);
  if (!output) {
    throw new RadprobeError(
      `${where} names output "${name}", but ${modelPath} has outputs ${outputs.map((o) => `"${o.name}"`).join(', ')}`,
      { file: modelPath },
    );
  }
  if (output.type !== 'float32' || (output.shape.length > 0 && output.shape.length !== rank)) {
    throw new RadprobeError(
      `${modelPath}: output ${describeValue(output)} should be a float32 tensor of rank ${rank} (as ${where} uses it)`,
      { file: modelPath },
    );
  }
  return output;
}

interface SourceChoice {
  style: TokenLayout['style'];
  source: TokenSource;
  poolerOutput: string | null;
  note: string | null;
}

function chooseSource(outputs: GraphValue[], manifest: OnnxManifest | undefined, manifestFile: string | undefined, modelPath: string): SourceChoice {
  if (manifest?.outputs) {
    const where = `manifest ${manifestFile}`;
    if ('tokens' in manifest.outputs) {
      for (const name of manifest.outputs.tokens) findOutput(outputs, name, 3, where, modelPath);
      return { style: 'manifest', source: { kind: 'sequence', outputs: manifest.outputs.tokens }, poolerOutput: null, note: null };
    }
    for (const name of manifest.outputs.cls) findOutput(outputs, name, 2, where, modelPath);
    for (const name of manifest.outputs.patch) findOutput(outputs, name, 3, where, modelPath);
    return {
      style: 'manifest',
      source: { kind: 'pairs', cls: manifest.outputs.cls, patch: manifest.outputs.patch },
      poolerOutput: null,
      note: null,
    };
  }
  if (outputs.some((output) => output.name === 'last_hidden_state')) {
    const where = 'the Hugging Face export layout';
    findOutput(outputs, 'last_hidden_state', 3, where, modelPath);
    const pooler = outputs.some((output) => output.name === 'pooler_output')
      ? findOutput(outputs, 'pooler_output', 2, where, modelPath).name
      : null;
    return {
      style: 'hf',
      source: { kind: 'sequence', outputs: ['last_hidden_state'] },
      poolerOutput: pooler,
      note: 'Hugging Face style (output "last_hidden_state"): the final block only',
    };
  }
  const floats = outputs.filter((output) => output.type === 'float32');
  const patch = floats.filter((output) => output.shape.length === 3).map((output) => output.name);
  const cls = floats.filter((output) => output.shape.length === 2).map((output) => output.name);
  if (patch.length === 0 || patch.length !== cls.length) {
    throw new RadprobeError(
      `${modelPath}: cannot tell which outputs are which tokens. Outputs: ${outputs.map(describeValue).join(', ')}. ` +
        'Expected "last_hidden_state" [B, 1+R+N, D] (Hugging Face export) or pairs of [B, N, D] patch and [B, D] ' +
        'CLS outputs (export of DINOv2 get_intermediate_layers); otherwise write a manifest naming the outputs ' +
        `(${modelPath}.radprobe.json, see onnxManifestSchema)`,
      { file: modelPath },
    );
  }
  return {
    style: 'meta',
    source: { kind: 'pairs', cls, patch },
    poolerOutput: null,
    note:
      `Meta style: ${patch.length} block(s) of patch tokens [${patch.join(', ')}] paired in graph order with ` +
      `CLS tokens [${cls.join(', ')}]`,
  };
}

function exposedBlocks(count: number, depth: number | null, manifest: OnnxManifest | undefined, modelPath: string): number[] {
  if (manifest?.blocks) {
    if (manifest.blocks.length !== count) {
      throw new RadprobeError(`${modelPath}: the manifest lists ${manifest.blocks.length} blocks for ${count} exposed outputs`, {
        file: modelPath,
        pointer: '/blocks',
      });
    }
    return manifest.blocks;
  }
  if (depth !== null && count > depth) {
    throw new RadprobeError(`${modelPath} exposes ${count} blocks but the network has only ${depth}`, { file: modelPath });
  }
  const first = depth === null ? -count : depth - count;
  return Array.from({ length: count }, (_, i) => first + i);
}

function requestedInputSize(overrides: LayoutOverrides): { height: number; width: number } | undefined {
  const size = overrides.inputSize;
  return typeof size === 'number' ? { height: size, width: size } : size;
}

/**
 * Works out, from the graph's inputs and outputs, the HF config and an optional manifest, how to run the model and
 * read its tokens. The user's overrides rank first, then the manifest, then config.json and the graph, then DINOv2's
 * defaults. What is unknown stays `null` for a probe run to settle.
 */
export function inferTokenLayout(args: {
  modelPath: string;
  inputs: GraphValue[];
  outputs: GraphValue[];
  hfConfig: HfModelConfig;
  manifest?: OnnxManifest;
  manifestFile?: string;
  overrides?: LayoutOverrides;
}): TokenLayout {
  const { modelPath, hfConfig, manifest, manifestFile } = args;
  const input = checkImageInput(args.inputs, modelPath);
  const choice = chooseSource(args.outputs, manifest, manifestFile, modelPath);
  const inferred: string[] = choice.note ? [choice.note] : [];

  const patchSize = manifest?.patchSize ?? hfConfig.patchSize ?? DEFAULT_PATCH_SIZE;
  if (manifest?.patchSize === undefined && hfConfig.patchSize === undefined) inferred.push(`patch size ${patchSize} (DINOv2 default)`);

  const graphHeight = staticDim(input.shape[2]);
  const graphWidth = staticDim(input.shape[3]);
  const graphSize = graphHeight !== null && graphWidth !== null ? { height: graphHeight, width: graphWidth } : undefined;
  const requested = requestedInputSize(args.overrides ?? {});
  const defaultSide = Math.max(1, Math.round(DEFAULT_INPUT_SIDE / patchSize)) * patchSize;
  // A graph with a fixed input size outranks the preprocessor's crop size, but not what the user states.
  const [inputSize, sizeSource] = requested
    ? [requested, 'the backbone option inputSize']
    : manifest?.inputSize
      ? [manifest.inputSize, `manifest ${manifestFile}`]
      : graphSize
        ? [graphSize, 'the graph']
        : hfConfig.inputSize
          ? [hfConfig.inputSize, 'preprocessor_config.json']
          : [{ height: defaultSide, width: defaultSide }, `${DEFAULT_INPUT_SIDE} rounded to the patch size`];
  if (!requested && !manifest?.inputSize && !hfConfig.inputSize) {
    inferred.push(`input size ${inputSize.height}×${inputSize.width} (${sizeSource})`);
  }
  if (inputSize.height % patchSize !== 0 || inputSize.width % patchSize !== 0) {
    throw new RadprobeError(
      `${modelPath}: input size ${inputSize.height}×${inputSize.width} (from ${sizeSource}) is not a multiple of the patch size ${patchSize}`,
      { file: modelPath },
    );
  }
  if (graphSize && (graphSize.height !== inputSize.height || graphSize.width !== inputSize.width)) {
    throw new RadprobeError(
      `${modelPath}: input "${input.name}" is fixed at ${graphSize.height}×${graphSize.width}, ` +
        `but ${sizeSource} asks for ${inputSize.height}×${inputSize.width}`,
      { file: modelPath },
    );
  }

  const widths = (choice.source.kind === 'sequence' ? choice.source.outputs : [...choice.source.cls, ...choice.source.patch])
    .map((name) => args.outputs.find((output) => output.name === name)!)
    .map((output) => staticDim(output.shape[output.shape.length - 1]));
  const graphWidthOfTokens = widths.find((width) => width !== null) ?? null;
  const configuredDim = hfConfig.embedDim ?? null;
  for (const width of widths) {
    if (width !== null && configuredDim !== null && width !== configuredDim) {
      throw new RadprobeError(
        `${modelPath}: outputs are ${width} wide but ${hfConfig.files[0] ?? 'config.json'} says hidden_size ${configuredDim}`,
        { file: modelPath },
      );
    }
    if (width !== null && width !== graphWidthOfTokens) {
      throw new RadprobeError(`${modelPath}: the token outputs differ in width (${widths.join(', ')})`, { file: modelPath });
    }
  }
  const embedDim = configuredDim ?? graphWidthOfTokens;

  let registerTokens = manifest?.registerTokens ?? hfConfig.registerTokens ?? null;
  if (registerTokens === null && choice.source.kind === 'pairs') {
    registerTokens = 0;
    inferred.push('no register tokens in the outputs (a Meta-style export drops them)');
  }
  if (registerTokens === null && graphSize && choice.source.kind === 'sequence') {
    const firstSequence = choice.source.outputs[0];
    const output = args.outputs.find((candidate) => candidate.name === firstSequence)!;
    const sequence = staticDim(output.shape[1]);
    if (sequence !== null) registerTokens = registersFromSequence(sequence, inputSize, patchSize, modelPath);
    if (registerTokens !== null) inferred.push(`${registerTokens} register tokens (from the sequence length ${sequence})`);
  }

  const blockCount = choice.source.kind === 'sequence' ? choice.source.outputs.length : choice.source.cls.length;
  const totalBlocks = manifest?.depth ?? hfConfig.depth ?? null;
  const blocks = exposedBlocks(blockCount, totalBlocks, manifest, modelPath);
  if (totalBlocks === null && !manifest?.blocks) {
    inferred.push(`depth unknown: exposed blocks are the last ${blockCount}, numbered from the end (${blocks.join(', ')})`);
  }

  const normalization = manifest?.normalization ?? hfConfig.normalization ?? IMAGENET_NORMALIZATION;
  if (!manifest?.normalization && !hfConfig.normalization) inferred.push('ImageNet normalisation (default)');

  return {
    style: choice.style,
    inputName: input.name,
    source: choice.source,
    poolerOutput: choice.poolerOutput,
    patchSize,
    inputSize,
    dynamicInputSize: !graphSize,
    embedDim,
    registerTokens,
    totalBlocks,
    exposedBlocks: blocks,
    normalization,
    inferred,
  };
}

/**
 * The register count implied by a sequence of `1 + R + N` tokens for an input of the given size: DINOv2 has 0 or
 * 4 registers, so anything else means the output is not laid out as `[CLS, registers, patches]`.
 */
export function registersFromSequence(
  sequenceLength: number,
  inputSize: { height: number; width: number },
  patchSize: number,
  modelPath: string,
): number {
  const patches = (inputSize.height / patchSize) * (inputSize.width / patchSize);
  const registers = sequenceLength - 1 - patches;
  if (!KNOWN_REGISTER_COUNTS.includes(registers)) {
    throw new RadprobeError(
      `${modelPath}: a ${inputSize.height}×${inputSize.width} input with patch size ${patchSize} gives ${patches} patch ` +
        `tokens, so a sequence of ${sequenceLength} tokens leaves ${registers} tokens besides CLS, not 0 or 4 registers. ` +
        'Give the patch size and register count in a manifest or config.json',
      { file: modelPath },
    );
  }
  return registers;
}
