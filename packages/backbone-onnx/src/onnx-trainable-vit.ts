import { TensorDataType, float16Tensor, float32Tensor, tensorToFloat32, type OnnxTensor } from '@radprobe/onnx-format';
import { RadprobeError, type ParameterTensor, type TrainableBackbone, type VitArchitecture, type VitWeights } from '@radprobe/core';
import { findFoldedPositions } from './folded-positions.js';
import { GraphIndex } from './graph-constants.js';
import { loadOnnxModel, saveOnnxModel, type LoadedOnnxModel } from './onnx-model-file.js';
import { inferVitArchitecture, type ArchitectureHints } from './vit-architecture.js';
import { bindParameters, type InitializerPart, type ParameterBinding } from './vit-bindings.js';

/** Columns of a part viewed as a matrix `[rows, columns]` (1 for a vector). */
function columnsOf(shape: readonly number[]): number {
  return shape.slice(1).reduce((product, side) => product * side, 1);
}

/** Copies a part's stored values into the canonical tensor (`[rows, columns]` row-major), undoing `[in, out]`. */
function readPart(part: InitializerPart, stored: Float32Array, target: Float32Array): void {
  const rows = part.shape[0];
  const columns = columnsOf(part.shape);
  const start = part.rowOffset * columns;
  if (!part.transposed) {
    target.set(stored, start);
    return;
  }
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) target[start + row * columns + column] = stored[column * rows + row];
  }
}

/** The part's values in the file's layout, taken from the canonical tensor: the inverse of `readPart`. */
function writePart(part: InitializerPart, source: Float32Array): Float32Array {
  const rows = part.shape[0];
  const columns = columnsOf(part.shape);
  const block = source.subarray(part.rowOffset * columns, (part.rowOffset + rows) * columns);
  if (!part.transposed) return Float32Array.from(block);
  const stored = new Float32Array(rows * columns);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) stored[column * rows + row] = block[row * columns + column];
  }
  return stored;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const left = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const right = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return left.length === right.length && left.every((bits, index) => bits === right[index]);
}

/** The initializer with new values, in its own element type. */
function retyped(original: OnnxTensor, values: Float32Array, file: string): OnnxTensor {
  if (original.dataType === TensorDataType.FLOAT) return float32Tensor(original.name, original.dims, values);
  if (original.dataType === TensorDataType.FLOAT16) return float16Tensor(original.name, original.dims, values);
  throw new RadprobeError(`${file}: initializer '${original.name}' has data_type ${original.dataType}; only float32 and float16 weights can be rewritten`, { file });
}

/**
 * A DINOv2-style ViT in an ONNX file, as a network to train: its initializers under Meta's canonical names, and
 * the way back into a file of the same graph.
 */
export class OnnxTrainableVit implements TrainableBackbone {
  private readonly initializers: Map<string, OnnxTensor>;

  private constructor(
    private readonly modelPath: string,
    private readonly loaded: LoadedOnnxModel,
    private readonly bindings: Map<string, ParameterBinding>,
    private readonly architecture: VitArchitecture,
  ) {
    this.initializers = new Map(loaded.model.graph.initializer.map((tensor) => [tensor.name, tensor]));
  }

  /**
   * Reads the file's parameters; null when it holds no ViT patch embedding at all (not a ViT), an error naming
   * the file and the parameter when it holds one but lacks other parameters. `log` hears what training will do
   * differently from the network the file was exported from.
   */
  static async open(modelPath: string, hints: ArchitectureHints, log: (message: string) => void = () => {}): Promise<OnnxTrainableVit | null> {
    const loaded = await loadOnnxModel(modelPath);
    const { graph } = loaded.model;
    const bindings = bindParameters(graph, modelPath);
    const patchEmbedding = bindings.get('patch_embed.proj.weight');
    if (!patchEmbedding) return null;
    const cls = bindings.get('cls_token');
    const folded =
      bindings.has('pos_embed') || !cls ? null : findFoldedPositions(new GraphIndex(graph), cls.parts[0].initializer, patchEmbedding.shape[0], modelPath);
    if (folded) bindings.set('pos_embed', folded.binding);
    const architecture = inferVitArchitecture(graph, bindings, modelPath, hints, folded);
    if (architecture.positionInterpolation.mode === 'fixed') {
      const { positionGrid: grid, patchSize } = architecture;
      const side = grid * patchSize;
      log(
        `${modelPath}: the export folded the positional embedding, already interpolated to its ${grid}×${grid} patch grid, into a constant; ` +
          `the trained grid cannot be recovered, so training uses that grid itself as the positional parameter, at ${side}×${side} inputs only`,
      );
    }
    return new OnnxTrainableVit(modelPath, loaded, bindings, architecture);
  }

  private initializer(name: string): OnnxTensor {
    return this.initializers.get(name)!;
  }

  async weights(): Promise<VitWeights> {
    const parameters = new Map<string, ParameterTensor>();
    for (const binding of this.bindings.values()) {
      const values = new Float32Array(binding.shape.reduce((product, side) => product * side, 1));
      for (const part of binding.parts) readPart(part, tensorToFloat32(this.initializer(part.initializer)), values);
      parameters.set(binding.name, { shape: [...binding.shape], values });
    }
    return { architecture: structuredClone(this.architecture), parameters };
  }

  async writeWeights(parameters: ReadonlyMap<string, ParameterTensor>, file: string): Promise<void> {
    const unknown = [...parameters.keys()].find((name) => !this.bindings.has(name));
    if (unknown !== undefined) throw new RadprobeError(`writeWeights(${file}): ${this.modelPath} has no parameter ${unknown}`, { file });
    const replaced = new Map<string, OnnxTensor>();
    for (const binding of this.bindings.values()) {
      const parameter = parameters.get(binding.name);
      if (!parameter) throw new RadprobeError(`writeWeights(${file}): parameter ${binding.name} is missing`, { file });
      const expected = binding.shape.reduce((product, side) => product * side, 1);
      if (parameter.shape.join() !== binding.shape.join() || parameter.values.length !== expected) {
        throw new RadprobeError(
          `writeWeights(${file}): parameter ${binding.name} has shape [${parameter.shape.join(', ')}] and ${parameter.values.length} values, ` +
            `${this.modelPath} holds [${binding.shape.join(', ')}]`,
          { file },
        );
      }
      for (const part of binding.parts) {
        const original = this.initializer(part.initializer);
        const values = writePart(part, parameter.values);
        if (!sameBits(values, tensorToFloat32(original))) replaced.set(original.name, retyped(original, values, file));
      }
    }
    const graph = this.loaded.model.graph;
    const initializer = graph.initializer.map((tensor) => replaced.get(tensor.name) ?? tensor);
    await saveOnnxModel({ ...this.loaded.model, graph: { ...graph, initializer } }, this.loaded.external, file);
  }
}
