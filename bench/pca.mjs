// PCA-figure benchmark: `patchPca` on 4 images × 256 patches at D = 384, 768, 1024, 1536 (ViT-S/B/L/g), through
// the built @radprobe/core (leading components by subspace iteration), against the full eigen-decomposition
// baseline measured in the same run: the figure's two PCAs as `principalComponents` did them before, the float64
// covariance decomposed whole with `symmetricEigen`, then projected. The baseline reuses the new figure's
// foreground, so both decompose the same rows; the figure's other steps (pooling, mask, colour scaling) are timed
// on the new side only, which makes the printed ratio an underestimate. Tokens are synthetic: a foreground/background
// factor, 64 further factors of decaying variance 1 / (f + 1) and isotropic noise, like real patch features whose
// first components carry a few tens of per cent of the variance.
//
//   npm run build && node bench/pca.mjs [--dims 384,768,1024,1536]
import { parseArgs } from 'node:util';
import { Random, symmetricEigen } from '@radprobe/core';
import { patchPca, principalComponents, projectRows } from '@radprobe/core/engine';
import { measure } from './measure.mjs';

const { values } = parseArgs({ options: { dims: { type: 'string', default: '384,768,1024,1536' } } });
const DIMS = values.dims.split(',').map(Number);
const IMAGES = 4;
const SIDE = 16;
const FACTORS = 64;
const COMPONENTS = 3;

/** `IMAGES` grids of `SIDE × SIDE` tokens: a disc of foreground on each, tokens = Σ factors + noise. */
function syntheticImages(dim, seed) {
  const random = new Random(seed);
  const directions = Array.from({ length: FACTORS + 1 }, () => Float64Array.from({ length: dim }, () => random.normal() / Math.sqrt(dim)));
  return Array.from({ length: IMAGES }, (_, image) => {
    const data = new Float32Array(SIDE * SIDE * dim);
    const radius = SIDE * (0.25 + 0.05 * image);
    for (let patch = 0; patch < SIDE * SIDE; patch++) {
      const row = Math.floor(patch / SIDE) - SIDE / 2;
      const col = (patch % SIDE) - SIDE / 2;
      const token = data.subarray(patch * dim, (patch + 1) * dim);
      const inside = Math.hypot(row, col) < radius ? 2 : -2;
      for (let d = 0; d < dim; d++) token[d] = inside * directions[0][d] + 0.1 * random.normal();
      for (let f = 1; f <= FACTORS; f++) {
        const weight = random.normal() / Math.sqrt(f);
        for (let d = 0; d < dim; d++) token[d] += weight * directions[f][d];
      }
    }
    return { grid: { rows: SIDE, cols: SIDE }, dim, data };
  });
}

/** The baseline: what `principalComponents` computed before, the full decomposition of the formed covariance. */
function fullDecompositionPca(rows, rowCount, dim, count) {
  const mean = new Float64Array(dim);
  for (let row = 0; row < rowCount; row++) for (let d = 0; d < dim; d++) mean[d] += rows[row * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= rowCount;
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let row = 0; row < rowCount; row++) {
    for (let d = 0; d < dim; d++) centred[d] = rows[row * dim + d] - mean[d];
    for (let a = 0; a < dim; a++) for (let b = 0; b <= a; b++) covariance[a * dim + b] += centred[a] * centred[b];
  }
  let trace = 0;
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b <= a; b++) covariance[a * dim + b] /= rowCount - 1;
    trace += covariance[a * dim + a];
  }
  const { values: eigenvalues, vectors } = symmetricEigen(covariance, dim);
  const variances = Array.from(eigenvalues.subarray(0, count));
  return { dim, mean, count, components: vectors.slice(0, count * dim), variances, explainedVariance: variances.map((v) => v / trace) };
}

/** The figure's two PCAs and projections through the baseline, on the rows the new figure used. */
function baselineFigurePcas(images, figure) {
  const dim = images[0].dim;
  const pooled = new Float32Array(images.reduce((sum, image) => sum + image.data.length, 0));
  images.reduce((offset, image) => (pooled.set(image.data, offset), offset + image.data.length), 0);
  const patches = pooled.length / dim;
  const all = fullDecompositionPca(pooled, patches, dim, COMPONENTS);
  projectRows(all, pooled, patches);
  const foreground = figure.images.flatMap((image) => Array.from(image.foreground));
  const kept = new Float32Array(figure.foregroundPatches * dim);
  let row = 0;
  foreground.forEach((flag, patch) => flag && kept.set(pooled.subarray(patch * dim, (patch + 1) * dim), row++ * dim));
  const colours = fullDecompositionPca(kept, row, dim, COMPONENTS);
  projectRows(colours, kept, row);
  return { pooled, patches, all, colours };
}

const maxDifference = (a, b) => a.reduce((worst, value, index) => Math.max(worst, Math.abs(value - b[index])), 0);

console.log(`PCA figure benchmark: ${IMAGES} images × ${SIDE * SIDE} patches, ${COMPONENTS} components, node ${process.version}`);
// Warm the JIT on both paths so that the first measured dimension is not charged for compilation.
const warm = syntheticImages(96, 0);
baselineFigurePcas(warm, patchPca(warm));

for (const dim of DIMS) {
  const images = syntheticImages(dim, dim);
  console.log(`D = ${dim}:`);
  const fast = await measure('  patchPca (subspace iteration)', () => patchPca(images));
  const slow = await measure('  baseline (full eigen-decomposition, both PCAs)', () => baselineFigurePcas(images, fast.result));
  const { pooled, patches, all, colours } = slow.result;
  const leading = principalComponents(pooled, patches, dim, COMPONENTS);
  const explained = Math.max(
    maxDifference(fast.result.allPatchesExplainedVariance, all.explainedVariance),
    maxDifference(fast.result.explainedVariance, colours.explainedVariance),
  );
  console.log(`  agreement: max |Δ component| ${maxDifference(leading.components, all.components).toExponential(1)}, max |Δ explained variance| ${explained.toExponential(1)}`);
  console.log(`  shares of variance, all patches: ${all.explainedVariance.map((share) => share.toFixed(3)).join(', ')}; foreground: ${colours.explainedVariance.map((share) => share.toFixed(3)).join(', ')}`);
  console.log(`  speed-up: ${(slow.seconds / fast.seconds).toFixed(1)}× (${fast.seconds.toFixed(2)} s vs ${slow.seconds.toFixed(2)} s)`);
}
