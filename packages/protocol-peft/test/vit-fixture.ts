import { Random, type VitArchitecture, type VitWeights } from '@radprobe/core';
import { canonicalVitParameters, dinov2Reference, resolveVitSpec, type VitSpec } from '@radprobe/testkit';

/** A tiny DINOv2 (the testkit's generated weights): trained grid 4×4 at patch 4, so a 16×16 input needs no interpolation. */
export function tinySpec(overrides: Partial<VitSpec> = {}): VitSpec {
  return { embedDim: 32, depth: 2, heads: 4, patchSize: 4, posGrid: 4, seed: 7, style: 'meta', ...overrides };
}

export function architectureOf(spec: VitSpec): VitArchitecture {
  const { positionScaleOffset, positionAntialias } = resolveVitSpec(spec);
  return {
    embedDim: spec.embedDim,
    depth: spec.depth,
    heads: spec.heads,
    patchSize: spec.patchSize,
    mlpHidden: (spec.mlpRatio ?? 4) * spec.embedDim,
    registerTokens: spec.registers ?? 0,
    positionGrid: spec.posGrid ?? 37,
    layerNormEpsilon: 1e-6,
    positionInterpolation:
      positionScaleOffset !== null ? { mode: 'scale', offset: positionScaleOffset } : positionAntialias ? { mode: 'size', antialias: true } : { mode: 'size' },
  };
}

/** The spec's generated weights under the canonical names and shapes (what `TrainableBackbone.weights()` gives). */
export function vitWeightsOf(spec: VitSpec): VitWeights {
  return { architecture: architectureOf(spec), parameters: canonicalVitParameters(spec) };
}

export function randomPixels(count: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: count }, () => random.normal());
}

/** The testkit's float64 reference forward: final-normed CLS and the mean of the patch tokens of the last block. */
export function referenceFeatures(spec: VitSpec, pixels: Float32Array, batch: number, height: number, width: number): { cls: Float32Array; patchMean: Float32Array } {
  const features = dinov2Reference(spec, pixels, batch, height, width);
  const last = features.cls.length - 1;
  const d = spec.embedDim;
  const patches = (height / spec.patchSize) * (width / spec.patchSize);
  const patchMean = new Float32Array(batch * d);
  for (let image = 0; image < batch; image++) {
    for (let c = 0; c < d; c++) {
      let sum = 0;
      for (let patch = 0; patch < patches; patch++) sum += features.patch[last][(image * patches + patch) * d + c];
      patchMean[image * d + c] = sum / patches;
    }
  }
  return { cls: features.cls[last], patchMean };
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
