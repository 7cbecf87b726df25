import { RadprobeError, Random, type ParameterTensor, type TensorFlow, type VitArchitecture, type VitWeights } from '@radprobe/core';
import type { Tensor, Tensor2D, Tensor3D, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import { LORA_TARGETS, trainsBaseParameter, validateAdaptation, type VitAdaptation } from './adaptation.js';
import { checkpointedBlock } from './checkpoint.js';
import { LoraAdapter } from './lora-adapter.js';
import { bicubicInterpolationMatrix } from './position-interpolation.js';
import { transposedValues } from './transposed-values.js';
import { gelu, layerNorm, matMul2d, multiHeadAttention } from './vit-layers.js';
import { layoutSize, parameterOf, validateArchitecture, vitParameterSpecs, type ParameterSpec } from './vit-parameters.js';

/** Final-normed features of a batch, as the ONNX exports give them. */
export interface VitFeatures {
  /** `[batch, D]` CLS tokens. */
  cls: Tensor2D;
  /** `[batch, D]` mean of the patch tokens (registers excluded). */
  patchMean: Tensor2D;
}

export interface ParameterCount {
  /** Elements that train under the adaptation. */
  trainable: number;
  /** Elements of the network the forward uses, LoRA's A and B included (the count PEFT reports). */
  total: number;
}

/** A DINOv2-style ViT in tensorflow.js whose chosen parameters train. */
export interface VitModel {
  readonly architecture: VitArchitecture;
  readonly adaptation: VitAdaptation;
  /** The trainable variables only (LoRA's A and B, and whichever base parameters the adaptation trains). */
  readonly variables: Variable[];
  /**
   * Features of `pixels` (`[batch, 3, H, W]`, normalised, H and W multiples of the patch size). `dropoutSeeds`,
   * one per image, makes it the training forward: LoRA's dropout masks of image i come from a stream seeded with
   * `dropoutSeeds[i]`, so they do not depend on which images share the forward (micro-batching leaves them as
   * they are); null is the eval forward. The network is otherwise the same in both. Each block draws its masks
   * from a stream of its own, seeded from the image's stream, so a block's masks can be drawn again.
   * `checkpointed` keeps only each block's input for the backward and recomputes the block's internals there
   * (same values and gradients, about one block's activations at a time, one more forward of compute). The
   * caller disposes the result.
   */
  forward(pixels: Tensor4D, dropoutSeeds: readonly number[] | null, checkpointed?: boolean): VitFeatures;
  parameterCount(): ParameterCount;
  /**
   * Every parameter of the given weights under its name and shape (those the forward does not read passed
   * through), current values, LoRA folded in as W + (alpha/rank)·B·A: a plain network equal to this one in eval.
   */
  mergedParameters(): Map<string, ParameterTensor>;
  /**
   * What training changed relative to the given weights: LoRA's `<layer>.lora_A.weight` / `.lora_B.weight` and
   * every trained base parameter (the adapted layers' biases for LoRA, all biases for BitFit, everything for full).
   */
  adapterParameters(): Map<string, ParameterTensor>;
  dispose(): void;
}

interface HeldParameter {
  spec: ParameterSpec;
  /** The given parameter's shape, which exports keep. */
  shape: number[];
  value: Tensor;
}

/** Builds the ViT from `weights` (canonical names, PyTorch layouts) for `adaptation`; `seed` draws LoRA's A. */
export function buildVit(tf: TensorFlow, weights: VitWeights, adaptation: VitAdaptation, seed: number): VitModel {
  validateArchitecture(weights.architecture);
  validateAdaptation(adaptation);
  return new TfjsVit(tf, weights, adaptation, seed);
}

class TfjsVit implements VitModel {
  readonly architecture: VitArchitecture;
  readonly variables: Variable[] = [];
  private readonly held = new Map<string, HeldParameter>();
  private readonly adapters = new Map<string, LoraAdapter>();
  /** Each block's trainable tensors (its trained base parameters, its adapters' A and B): a checkpointed block's inputs. */
  private readonly blockVariables: Variable[][] = [];
  private readonly passedThrough = new Map<string, ParameterTensor>();
  private readonly interpolations = new Map<string, { rows: Tensor2D; cols: Tensor2D }>();

  constructor(
    private readonly tf: TensorFlow,
    weights: VitWeights,
    readonly adaptation: VitAdaptation,
    seed: number,
  ) {
    this.architecture = weights.architecture;
    const specs = vitParameterSpecs(this.architecture);
    const given = specs.map((spec) => parameterOf(weights, spec));
    specs.forEach((spec, index) => {
      const { shape, values } = given[index];
      const { layout } = spec;
      const value = layout.kind === 'matrix' ? tf.tensor2d(transposedValues(values, layout.outputs, layout.inputs), [layout.inputs, layout.outputs]) : tf.tensor(values.slice(), layout.shape);
      const held = trainsBaseParameter(adaptation, spec.name) ? tf.variable(value, true) : tf.keep(value);
      if (held !== value) value.dispose();
      if (held instanceof tf.Variable) this.variables.push(held);
      this.held.set(spec.name, { spec, shape: shape.slice(), value: held });
    });
    for (const [name, parameter] of weights.parameters) {
      if (!this.held.has(name)) this.passedThrough.set(name, { shape: parameter.shape.slice(), values: parameter.values.slice() });
    }
    const random = new Random(seed);
    if (adaptation.mode === 'lora') {
      for (let block = 0; block < this.architecture.depth; block++) {
        for (const target of LORA_TARGETS) {
          const layer = `blocks.${block}.${target}`;
          const { layout } = this.held.get(`${layer}.weight`)!.spec;
          if (layout.kind !== 'matrix') throw new RadprobeError(`LoRA target ${layer} is not a Linear layer`);
          const adapter = new LoraAdapter(tf, layer, layout.inputs, layout.outputs, adaptation.rank, adaptation.alpha, random);
          this.adapters.set(layer, adapter);
          this.variables.push(adapter.down, adapter.up);
        }
      }
    }
    for (let block = 0; block < this.architecture.depth; block++) {
      const prefix = `blocks.${block}.`;
      const base = [...this.held].filter(([name, held]) => name.startsWith(prefix) && held.value instanceof tf.Variable).map(([, held]) => held.value as Variable);
      const adapters = [...this.adapters].filter(([layer]) => layer.startsWith(prefix)).flatMap(([, adapter]) => [adapter.down, adapter.up]);
      this.blockVariables.push([...base, ...adapters]);
    }
  }

  forward(pixels: Tensor4D, dropoutSeeds: readonly number[] | null, checkpointed = false): VitFeatures {
    const { tf } = this;
    const { embedDim: d, registerTokens, depth, layerNormEpsilon: epsilon } = this.architecture;
    const [batch, , height, width] = pixels.shape;
    if (dropoutSeeds && dropoutSeeds.length !== batch) throw new RadprobeError(`ViT forward: ${dropoutSeeds.length} dropout seeds for a batch of ${batch} images`);
    // [block][image]: drawn up front so that a checkpointed block replays its masks from the same seeds.
    const imageStreams = dropoutSeeds ? dropoutSeeds.map((seed) => new Random(seed)) : null;
    const blockSeeds = Array.from({ length: depth }, () => imageStreams?.map((random) => random.nextUint32()) ?? null);
    const patches = (height / this.architecture.patchSize) * (width / this.architecture.patchSize);
    const tokens = 1 + registerTokens + patches;
    return tf.tidy(() => {
      let x = tf.reshape(this.embed(pixels), [batch * tokens, d]) as Tensor2D;
      for (let block = 0; block < depth; block++) {
        const seeds = blockSeeds[block];
        const run = (input: Tensor2D) => this.transformerBlock(input, `blocks.${block}`, batch, tokens, seeds && seeds.map((seed) => new Random(seed)));
        // A scope per block frees what the gradients do not keep (the tape holds its own references) before the next.
        const input = x;
        x = checkpointed ? checkpointedBlock(tf, run, input, this.blockVariables[block]) : tf.tidy(() => run(input));
      }
      const normed = tf.reshape(layerNorm(tf, x, this.value('norm.weight'), this.value('norm.bias'), epsilon), [batch, tokens, d]);
      const cls = tf.reshape(tf.slice(normed, [0, 0, 0], [batch, 1, d]), [batch, d]) as Tensor2D;
      const patchMean = tf.mean(tf.slice(normed, [0, 1 + registerTokens, 0], [batch, patches, d]), 1) as Tensor2D;
      return { cls, patchMean };
    });
  }

  parameterCount(): ParameterCount {
    let total = 0;
    for (const { spec } of this.held.values()) total += layoutSize(spec.layout);
    for (const adapter of this.adapters.values()) total += adapter.size;
    const trainable = this.variables.reduce((sum, variable) => sum + variable.size, 0);
    return { trainable, total };
  }

  mergedParameters(): Map<string, ParameterTensor> {
    const { tf } = this;
    const merged = new Map<string, ParameterTensor>();
    for (const [name, held] of this.held) {
      const adapter = this.adapters.get(name.slice(0, -'.weight'.length));
      const values = adapter ? tf.tidy(() => adapter.merged(held.value).dataSync() as Float32Array) : (held.value.dataSync() as Float32Array);
      merged.set(name, { shape: held.shape.slice(), values: this.exported(held.spec, values) });
    }
    for (const [name, parameter] of this.passedThrough) merged.set(name, { shape: parameter.shape.slice(), values: parameter.values.slice() });
    return merged;
  }

  adapterParameters(): Map<string, ParameterTensor> {
    const parameters = new Map<string, ParameterTensor>();
    for (const [name, held] of this.held) {
      if (held.value instanceof this.tf.Variable) parameters.set(name, { shape: held.shape.slice(), values: this.exported(held.spec, held.value.dataSync() as Float32Array) });
    }
    for (const adapter of this.adapters.values()) for (const [name, parameter] of adapter.parameters()) parameters.set(name, parameter);
    return parameters;
  }

  dispose(): void {
    for (const { value } of this.held.values()) value.dispose();
    for (const adapter of this.adapters.values()) adapter.dispose();
    for (const { rows, cols } of this.interpolations.values()) this.tf.dispose([rows, cols]);
    this.held.clear();
    this.adapters.clear();
    this.interpolations.clear();
    this.variables.length = 0;
    this.blockVariables.length = 0;
  }

  private value(name: string): Tensor {
    const held = this.held.get(name);
    if (!held) throw new RadprobeError(`ViT: parameter '${name}' is not held (was the model disposed?)`);
    return held.value;
  }

  /** Values in PyTorch's layout from the held layout (a copy either way: callers own it). */
  private exported(spec: ParameterSpec, values: Float32Array): Float32Array {
    return spec.layout.kind === 'matrix' ? transposedValues(values, spec.layout.inputs, spec.layout.outputs) : values.slice();
  }

  /** Pre-norm block with layer scale: x + ls1·Attn(LN1(x)), then + ls2·MLP(LN2(·)), on rows `[batch · tokens, D]`. */
  private transformerBlock(x: Tensor2D, prefix: string, batch: number, tokens: number, dropoutStreams: Random[] | null): Tensor2D {
    const { tf } = this;
    const { heads, layerNormEpsilon: epsilon } = this.architecture;
    const normed1 = layerNorm(tf, x, this.value(`${prefix}.norm1.weight`), this.value(`${prefix}.norm1.bias`), epsilon);
    const context = multiHeadAttention(tf, this.linear(normed1, `${prefix}.attn.qkv`, dropoutStreams), batch, tokens, heads);
    const afterAttention = tf.add(x, tf.mul(this.linear(context, `${prefix}.attn.proj`, dropoutStreams), this.value(`${prefix}.ls1.gamma`))) as Tensor2D;
    const normed2 = layerNorm(tf, afterAttention, this.value(`${prefix}.norm2.weight`), this.value(`${prefix}.norm2.bias`), epsilon);
    const hidden = gelu(tf, this.linear(normed2, `${prefix}.mlp.fc1`, dropoutStreams));
    return tf.add(afterAttention, tf.mul(this.linear(hidden, `${prefix}.mlp.fc2`, dropoutStreams), this.value(`${prefix}.ls2.gamma`))) as Tensor2D;
  }

  /** `x·Wᵀ + b` of the Linear `layer` on rows `[n, in]` (image-major), plus its LoRA update when it carries one. */
  private linear(x: Tensor2D, layer: string, dropoutStreams: Random[] | null): Tensor2D {
    const { tf } = this;
    const weight = this.value(`${layer}.weight`) as Tensor2D;
    const frozen = tf.add(matMul2d(tf, x, weight, weight instanceof tf.Variable), this.value(`${layer}.bias`)) as Tensor2D;
    const adapter = this.adapters.get(layer);
    if (!adapter) return frozen;
    const dropout = this.adaptation.mode === 'lora' ? this.adaptation.dropout : 0;
    const input = dropoutStreams && dropout > 0 ? tf.mul(x, this.dropoutMask(x.shape, dropout, dropoutStreams)) : x;
    return tf.add(frozen, adapter.delta(input as Tensor2D));
  }

  /** Inverted dropout's mask: 0 with probability `rate`, else 1/(1 − rate); each image's rows from its own stream. */
  private dropoutMask(shape: [number, number], rate: number, streams: Random[]): Tensor2D {
    const keep = 1 / (1 - rate);
    const perImage = (shape[0] / streams.length) * shape[1];
    const mask = new Float32Array(shape[0] * shape[1]);
    streams.forEach((random, image) => {
      for (let i = image * perImage; i < (image + 1) * perImage; i++) mask[i] = random.next() < rate ? 0 : keep;
    });
    return this.tf.tensor2d(mask, shape);
  }

  /** `[batch, 1 + R + N, D]`: CLS + its position, the registers (no position), patch embeddings + interpolated positions. */
  private embed(pixels: Tensor4D): Tensor3D {
    const { tf } = this;
    const { patchSize: p, embedDim: d, registerTokens, positionGrid: g } = this.architecture;
    const [batch, channels, height, width] = pixels.shape;
    if (pixels.rank !== 4 || channels !== 3 || !(height > 0 && width > 0) || height % p !== 0 || width % p !== 0) {
      throw new RadprobeError(`ViT forward: pixels of shape [${pixels.shape.join(', ')}] are not [batch, 3, H, W] with H and W positive multiples of the patch size ${p}`);
    }
    const gridRows = height / p;
    const gridCols = width / p;
    const patches = gridRows * gridCols;
    // [B, 3, gh·p, gw·p] → [B·3·gh, gw, p, p] → [B, N, 3, p·p]: each row is one patch flattened as the conv kernel is.
    const byColumn = tf.transpose(tf.reshape(pixels, [batch * 3 * gridRows, p, gridCols, p]), [0, 2, 1, 3]);
    const byPatch = tf.transpose(tf.reshape(byColumn, [batch, 3, patches, p * p]), [0, 2, 1, 3]);
    const flat = tf.reshape(byPatch, [batch * patches, 3 * p * p]) as Tensor2D;
    const projection = this.value('patch_embed.proj.weight') as Tensor2D;
    const embedded = tf.add(matMul2d(tf, flat, projection, projection instanceof tf.Variable), this.value('patch_embed.proj.bias'));
    const positions = tf.slice(this.value('pos_embed'), [1, 0], [g * g, d]) as Tensor2D;
    const patchTokens = tf.add(tf.reshape(embedded, [batch, patches, d]), this.interpolated(positions, gridRows, gridCols));
    const clsPosition = tf.slice(this.value('pos_embed'), [0, 0], [1, d]);
    const perImage = (count: number) => tf.zeros([batch, count, d]);
    const sequence = [tf.add(perImage(1), tf.add(this.value('cls_token'), clsPosition))];
    if (registerTokens > 0) sequence.push(tf.add(perImage(registerTokens), this.value('register_tokens')));
    sequence.push(patchTokens);
    return tf.concat(sequence, 1) as Tensor3D;
  }

  /**
   * The trained `[G², D]` positional grid resized to `rows × cols` as `Rᵣ·grid·R_cᵀ` per channel (two products
   * with precomputed bicubic matrices). At the trained grid the grid is used as is, as DINOv2 does; a fixed grid
   * (an export that folded its positions) serves only its own size.
   */
  private interpolated(grid: Tensor2D, rows: number, cols: number): Tensor2D {
    const { tf } = this;
    const { positionGrid: g, embedDim: d, positionInterpolation, patchSize: p } = this.architecture;
    if (rows === g && cols === g) return grid;
    if (positionInterpolation.mode === 'fixed') {
      throw new RadprobeError(
        `ViT forward: the positional embedding is the export's own ${g}×${g} grid (its export folded the interpolated positions into the graph, ` +
          `so the trained grid is gone): inputs must be ${g * p}×${g * p}, not ${rows * p}×${cols * p}`,
      );
    }
    const key = `${rows}x${cols}`;
    let matrices = this.interpolations.get(key);
    if (!matrices) {
      // Kept: the cache outlives the forward's tidy scope.
      matrices = {
        rows: tf.keep(tf.tensor2d(bicubicInterpolationMatrix(g, rows, positionInterpolation), [rows, g])),
        cols: tf.keep(tf.tensor2d(bicubicInterpolationMatrix(g, cols, positionInterpolation), [cols, g])),
      };
      this.interpolations.set(key, matrices);
    }
    // [G, G·D] → rows resized [r, G, D] → [G, r·D] → columns resized [c, r, D] → [r, c, D].
    const alongRows = matMul2d(tf, matrices.rows, tf.reshape(grid, [g, g * d]) as Tensor2D, true);
    const columnsFirst = tf.reshape(tf.transpose(tf.reshape(alongRows, [rows, g, d]), [1, 0, 2]), [g, rows * d]) as Tensor2D;
    const alongColumns = matMul2d(tf, matrices.cols, columnsFirst, true);
    return tf.reshape(tf.transpose(tf.reshape(alongColumns, [cols, rows, d]), [1, 0, 2]), [rows * cols, d]) as Tensor2D;
  }
}
