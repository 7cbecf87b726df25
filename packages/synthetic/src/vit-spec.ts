import { RadprobeError } from '@radprobe/core';

/** The normalisation DINOv2 and the generated exports declare: ImageNet's per-channel mean and std. */
export const IMAGENET_NORMALIZATION = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;

/** A small ViT with DINOv2's architecture; the weights are a deterministic function of the spec and `seed`. */
export interface VitSpec {
  embedDim: number;
  depth: number;
  heads: number;
  patchSize: number;
  /** MLP hidden size = mlpRatio · embedDim (default 4). */
  mlpRatio?: number;
  /** Register tokens (0 or 4 in DINOv2; default 0). */
  registers?: number;
  /** Side of the trained positional grid (default 37, as DINOv2); interpolated bicubically to other inputs. */
  posGrid?: number;
  seed: number;
  /** 'hf': Hugging Face Dinov2Model export; 'meta': export of Meta's get_intermediate_layers. */
  style: 'hf' | 'meta';
  /** Meta style only: how many last blocks to output (default 4, capped at depth). */
  exposeBlocks?: number;
  /** HF style only: also output pooler_output (= token 0 of last_hidden_state). */
  withPooler?: boolean;
  /**
   * Linear layers as a real torch.onnx export stores them (default false): each weight transposed to `[in, out]`
   * under an unnamed `onnx::MatMul_<n>` initializer feeding a MatMul named after the module
   * (`/blocks.0/attn/qkv/MatMul`), instead of `[out, in]` under its state-dict name behind a Transpose.
   */
  torchLinears?: boolean;
  /**
   * Resize the positional grid by scale factors `(grid + offset) / posGrid`, as Meta's code does with its
   * `interpolate_offset` (0.1), instead of to explicit sizes (the default, `interpolate(size=...)`).
   */
  positionScaleOffset?: number;
  /**
   * Resize the positional grid with PyTorch's antialiased bicubic (`interpolate(size=..., antialias=True)`, an
   * opset-18 Resize with antialias=1), as Meta's register models (`interpolate_antialias=True`,
   * `interpolate_offset=0`) and Hugging Face's do. Default: true with registers (unless `positionScaleOffset` is
   * given), false without.
   */
  positionAntialias?: boolean;
  /** Scale of the layer-scale vectors (default 0.1: nonzero, so every residual branch shows in the output). */
  layerScaleInit?: number;
  /**
   * A demo construction, not a property of DINOv2 (default false): the CLS token sees the patches only as a
   * rescaling of itself, which the final LayerNorm removes, so its final-normed features are the same for every
   * image while a shift of a bias before that norm exposes the scale (see `hideClsContentInScale`).
   */
  clsContentAsScale?: boolean;
}

/** A spec with defaults filled in and the derived sizes. */
export interface ResolvedVitSpec {
  embedDim: number;
  depth: number;
  heads: number;
  headDim: number;
  patchSize: number;
  mlpHidden: number;
  registers: number;
  posGrid: number;
  seed: number;
  style: 'hf' | 'meta';
  /** Indices of the blocks whose (final-normed) tokens the model outputs, ascending. */
  exposedBlocks: number[];
  withPooler: boolean;
  torchLinears: boolean;
  positionScaleOffset: number | null;
  positionAntialias: boolean;
  layerScaleInit: number;
  clsContentAsScale: boolean;
}

export function resolveVitSpec(spec: VitSpec): ResolvedVitSpec {
  const embedDim = positiveInteger(spec.embedDim, 'embedDim');
  const depth = positiveInteger(spec.depth, 'depth');
  const heads = positiveInteger(spec.heads, 'heads');
  if (embedDim % heads !== 0) {
    throw new RadprobeError(`VitSpec.heads: ${heads} does not divide embedDim ${embedDim}`, { pointer: '/heads' });
  }
  const mlpRatio = spec.mlpRatio ?? 4;
  const mlpHidden = mlpRatio * embedDim;
  if (!Number.isInteger(mlpHidden) || mlpHidden <= 0) {
    throw new RadprobeError(`VitSpec.mlpRatio: ${mlpRatio} · embedDim must be a positive integer`, { pointer: '/mlpRatio' });
  }
  if (spec.style !== 'hf' && spec.style !== 'meta') {
    throw new RadprobeError(`VitSpec.style: '${String(spec.style)}' is not 'hf' or 'meta'`, { pointer: '/style' });
  }
  if (!Number.isInteger(spec.seed)) {
    throw new RadprobeError(`VitSpec.seed: ${spec.seed} is not an integer`, { pointer: '/seed' });
  }
  const registers = spec.registers ?? 0;
  if (!Number.isInteger(registers) || registers < 0) {
    throw new RadprobeError(`VitSpec.registers: ${registers} is not a non-negative integer`, { pointer: '/registers' });
  }
  const exposed = spec.style === 'meta' ? Math.min(positiveInteger(spec.exposeBlocks ?? 4, 'exposeBlocks'), depth) : 1;
  const positionAntialias = spec.positionAntialias ?? (registers > 0 && spec.positionScaleOffset === undefined);
  if (positionAntialias && spec.positionScaleOffset !== undefined) {
    throw new RadprobeError('VitSpec.positionAntialias: the antialiased resize is by sizes; it does not combine with positionScaleOffset', {
      pointer: '/positionAntialias',
    });
  }
  return {
    embedDim,
    depth,
    heads,
    headDim: embedDim / heads,
    patchSize: positiveInteger(spec.patchSize, 'patchSize'),
    mlpHidden,
    registers,
    posGrid: positiveInteger(spec.posGrid ?? 37, 'posGrid'),
    seed: spec.seed,
    style: spec.style,
    exposedBlocks: Array.from({ length: exposed }, (_, index) => depth - exposed + index),
    withPooler: spec.withPooler ?? false,
    torchLinears: spec.torchLinears ?? false,
    positionScaleOffset: spec.positionScaleOffset === undefined ? null : finite(spec.positionScaleOffset, 'positionScaleOffset'),
    positionAntialias,
    layerScaleInit: finite(spec.layerScaleInit ?? 0.1, 'layerScaleInit'),
    clsContentAsScale: spec.clsContentAsScale ?? false,
  };
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RadprobeError(`VitSpec.${field}: ${value} is not a positive integer`, { pointer: `/${field}` });
  }
  return value;
}

function finite(value: number, field: string): number {
  if (!Number.isFinite(value)) {
    throw new RadprobeError(`VitSpec.${field}: ${value} is not a finite number`, { pointer: `/${field}` });
  }
  return value;
}
