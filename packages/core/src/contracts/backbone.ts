import type { JsonSchema } from './json-schema.js';

/** Per-channel normalisation applied after min–max scaling: `(x - mean) / std`. */
export interface Normalization {
  mean: [number, number, number];
  std: [number, number, number];
}

/** What a backbone is, as far as protocols and the feature cache need to know. */
export interface BackboneInfo {
  /** Human-readable identity, e.g. `dinov2-small (onnx, HF style)`. */
  description: string;
  /** Side of a square patch in pixels (14 for DINOv2); 0 for a backbone without patch tokens (CNNs). */
  patchSize: number;
  /** Width of every exposed token (384 for ViT-S/14). */
  embedDim: number;
  /** Number of transformer blocks of the whole network (12 for ViT-S/14), if known. */
  totalBlocks: number | null;
  /**
   * Blocks whose (final-LayerNorm'd) tokens the backbone exposes, as 0-based indices into the network's blocks,
   * ascending. The last entry is the final block. An HF-style export exposes only `[totalBlocks - 1]`. When the
   * network's depth is unknown, blocks are numbered from the end instead (`[-4, -3, -2, -1]`, -1 = last).
   */
  exposedBlocks: number[];
  /** Register tokens between CLS and the patch tokens (0 or 4 for DINOv2); never handed to protocols. */
  registerTokens: number;
  /** Input side the backbone expects by default; both multiples of `patchSize`. */
  inputSize: { height: number; width: number };
  /** Whether other input sizes (multiples of the patch size) are accepted. */
  dynamicInputSize: boolean;
  /** Whether patch tokens are exposed (false for CNN baselines, whose pooled vector stands in for CLS). */
  hasPatchTokens: boolean;
  normalization: Normalization;
  /**
   * Content hash of the weights (sha256 hex): keys the feature cache, with the entry's options (see
   * `BackboneFactory`), and appears in provenance.
   */
  weightsHash: string;
  /** Where the model runs, in the backend's words (e.g. `onnxruntime CPUExecutionProvider`). */
  executionProvider: string;
}

/**
 * Tokens of one batch. All arrays are row-major float32. The engine checks every batch against the backbone's
 * `BackboneInfo` and the batch it asked for (sizes, blocks, grid, registers removed) and fails the backbone's cells
 * with one error naming the plugin when it does not match; only then are non-finite values an item's fault.
 */
export interface EmbeddedBatch {
  /** Images in the batch. */
  batchSize: number;
  /** Patch grid of the input: `height / patchSize` × `width / patchSize`. */
  grid: { rows: number; cols: number };
  /** Per exposed block (same order as `BackboneInfo.exposedBlocks`): `[batchSize, embedDim]` CLS tokens. */
  cls: Float32Array[];
  /**
   * Per exposed block: `[batchSize, rows * cols, embedDim]` patch tokens (registers removed),
   * or `null` when the backbone has none.
   */
  patch: Float32Array[] | null;
}

/** A loaded backbone ready to embed images. */
export interface Backbone {
  readonly info: BackboneInfo;
  /**
   * Embeds a batch of preprocessed images: `pixels` is `[batchSize, 3, height, width]` float32, already resized,
   * scaled and normalised with `info.normalization`.
   */
  embed(pixels: Float32Array, batchSize: number, height: number, width: number): Promise<EmbeddedBatch>;
  /** Frees native resources. */
  dispose(): Promise<void>;
  /** The network for training, when the backbone can hand out its weights (a DINOv2-style ViT); else absent. */
  trainable?(): Promise<TrainableBackbone | null>;
}

/** Context the engine hands to a backbone factory. */
export interface BackboneContext {
  /** Directory the config file lives in: relative paths resolve against it. */
  baseDir: string;
  /** Local model store, for names like `dinov2-small`. */
  modelStoreDir: string;
  /** `auto` picks the best execution provider present. */
  device: 'auto' | 'cpu' | 'cuda';
  log(message: string): void;
}

/** What input a backbone entry takes, as its files say before the model is loaded. */
export interface BackboneInputDescription {
  /** The input size the model is fixed to, or null when it takes any multiple of `patchSize`. */
  fixedSize: { height: number; width: number } | null;
  patchSize: number;
  normalization: Normalization;
  /** What fixes the size, for messages (e.g. `input "pixel_values" of /models/vit.onnx`). */
  sizeSource: string;
}

/**
 * What a backbone plugin contributes: one `kind` of backbone entry in a config.
 *
 * Cached features are keyed by `BackboneInfo.weightsHash`, the description, blocks and width, the preprocessing,
 * and a hash of the entry's resolved options (defaults filled in) with the kind, leaving out only what the engine
 * owns and that cannot change features: `name`, `batchSize` and `device`. A plugin never needs to fold its options
 * into `weightsHash`: any option that changes the output already gives other cache entries. An option that changes
 * the output only through the file it names (a model path) still does, so the same weights under another path are
 * embedded once more, never served stale.
 */
export interface BackboneFactory<Options = Record<string, unknown>> {
  kind: string;
  /** JSON Schema of the entry's options (every key but `kind`, `name`). */
  optionsSchema: JsonSchema;
  create(options: Options, context: BackboneContext): Promise<Backbone>;
  /**
   * Optional, for checks before a run (`radprobe validate`, the editor): finds the entry's files (model, store
   * name, manifest) and reads what input the model takes, without loading it (no session, no weights in memory).
   * A missing or unusable file is a RadprobeError whose `pointer` is the option at fault (`/model`).
   */
  describeInput?(options: Options, context: BackboneContext): Promise<BackboneInputDescription>;
}

/** A parameter tensor: row-major float32 in PyTorch's layout (a Linear weight is `[out, in]`). */
export interface ParameterTensor {
  shape: number[];
  values: Float32Array;
}

/**
 * How the trained positional grid is resized to an input's patch grid (bicubic, half-pixel):
 * - `size`: `interpolate(size=grid)`, Keys' a = −0.75 with border taps clamped; with `antialias` (Meta's register
 *   models, `interpolate_antialias=True` with `interpolate_offset=0`, and Hugging Face's), PyTorch's
 *   `_upsample_bicubic2d_aa`: a = −0.5, support widened by the downsampling factor, taps cut at the border and
 *   renormalised, as Pillow does;
 * - `scale`: Meta's `interpolate(scale_factor=(grid + offset) / trainedGrid)` (offset 0.1), a = −0.75, whose
 *   sampling positions follow the scale rather than the size;
 * - `fixed`: the export folded the positional embedding, already interpolated, into a constant at its own patch
 *   grid (`positionGrid`): there is no trained grid to resize, so only inputs of that grid are served.
 */
export type PositionInterpolation = { mode: 'size'; antialias?: boolean } | { mode: 'scale'; offset: number } | { mode: 'fixed' };

/** The shape of a DINOv2-style ViT, as its weights and graph define it. */
export interface VitArchitecture {
  embedDim: number;
  depth: number;
  heads: number;
  patchSize: number;
  /** Hidden width of each block's MLP (4 · embedDim for DINOv2 ViT-S/B/L). */
  mlpHidden: number;
  registerTokens: number;
  /** Side of the trained positional grid (37 for DINOv2). */
  positionGrid: number;
  layerNormEpsilon: number;
  positionInterpolation: PositionInterpolation;
}

/**
 * A ViT's weights for training, under the state-dict names of Meta's DINOv2 code whatever the file's own naming:
 * `patch_embed.proj.weight`, `cls_token`, `register_tokens` (when present), `pos_embed`, per block
 * `blocks.<i>.{norm1,attn.qkv,attn.proj,ls1.gamma,norm2,mlp.fc1,mlp.fc2,ls2.gamma}` (qkv fused `[3D, D]`: q, k, v
 * rows in that order), and `norm.weight` / `norm.bias`.
 */
export interface VitWeights {
  architecture: VitArchitecture;
  parameters: ReadonlyMap<string, ParameterTensor>;
}

/** What a backbone offers a protocol that trains the network itself (fine-tuning, LoRA, BitFit). */
export interface TrainableBackbone {
  /** The network's current weights (a fresh copy on every call: callers may change it). */
  weights(): Promise<VitWeights>;
  /**
   * Writes a model file in the backbone's own format holding `parameters` (the names and shapes of `weights()`)
   * in place of the loaded ones; the file loads as this kind of backbone. Written atomically.
   */
  writeWeights(parameters: ReadonlyMap<string, ParameterTensor>, file: string): Promise<void>;
}
