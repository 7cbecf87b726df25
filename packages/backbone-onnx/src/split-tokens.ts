import { RadprobeError, type EmbeddedBatch } from '@radprobe/core';
import type { TokenSource } from './token-layout.js';

/** An output tensor as onnxruntime returns it: row-major data and its dims. */
export interface OutputTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** The geometry of one batch, for checking output shapes and slicing. */
export interface BatchGeometry {
  batchSize: number;
  rows: number;
  cols: number;
  embedDim: number;
  registerTokens: number;
}

function checkDims(tensor: OutputTensor, expected: number[], name: string, modelPath: string): void {
  if (tensor.dims.length !== expected.length || tensor.dims.some((dim, i) => dim !== expected[i])) {
    throw new RadprobeError(
      `${modelPath}: output "${name}" has shape [${tensor.dims.join(', ')}], expected [${expected.join(', ')}]`,
      { file: modelPath },
    );
  }
}

/**
 * Splits a `[B, 1 + R + N, D]` sequence into `[B, D]` CLS and `[B, N, D]` patch tokens, dropping the registers.
 * Values are copied as they are, NaN included: the engine judges each image's features, so that one image the
 * model diverges on is named and skipped or reported on its own instead of failing its whole batch.
 */
export function splitSequence(
  tensor: OutputTensor,
  geometry: BatchGeometry,
  name: string,
  modelPath: string,
): { cls: Float32Array; patch: Float32Array } {
  const { batchSize, embedDim, registerTokens } = geometry;
  const patches = geometry.rows * geometry.cols;
  const sequence = 1 + registerTokens + patches;
  checkDims(tensor, [batchSize, sequence, embedDim], name, modelPath);
  const cls = new Float32Array(batchSize * embedDim);
  const patch = new Float32Array(batchSize * patches * embedDim);
  const source = tensor.data;
  const patchLength = patches * embedDim;
  for (let b = 0; b < batchSize; b++) {
    const start = b * sequence * embedDim;
    cls.set(source.subarray(start, start + embedDim), b * embedDim);
    const patchStart = start + (1 + registerTokens) * embedDim;
    patch.set(source.subarray(patchStart, patchStart + patchLength), b * patchLength);
  }
  return { cls, patch };
}

/** Reads the tokens of every exposed block from a run's outputs into the `EmbeddedBatch` contract. */
export function collectTokens(
  source: TokenSource,
  outputs: Record<string, OutputTensor>,
  geometry: BatchGeometry,
  modelPath: string,
): EmbeddedBatch {
  const cls: Float32Array[] = [];
  const patch: Float32Array[] = [];
  if (source.kind === 'sequence') {
    for (const name of source.outputs) {
      const split = splitSequence(outputs[name], geometry, name, modelPath);
      cls.push(split.cls);
      patch.push(split.patch);
    }
  } else {
    const { batchSize, rows, cols, embedDim } = geometry;
    source.cls.forEach((clsName, i) => {
      const patchName = source.patch[i];
      checkDims(outputs[clsName], [batchSize, embedDim], clsName, modelPath);
      checkDims(outputs[patchName], [batchSize, rows * cols, embedDim], patchName, modelPath);
      // onnxruntime-node hands back outputs in fresh JavaScript buffers, so they can be kept without a copy.
      cls.push(outputs[clsName].data);
      patch.push(outputs[patchName].data);
    });
  }
  return { batchSize: geometry.batchSize, grid: { rows: geometry.rows, cols: geometry.cols }, cls, patch };
}
