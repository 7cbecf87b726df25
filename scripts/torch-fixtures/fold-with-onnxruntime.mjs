#!/usr/bin/env node
/**
 * Writes vits14-onnxruntime-folded.onnx: vits14-folded.onnx as onnxruntime's basic graph optimisations leave it.
 * Their constant folding evaluates the positional Resize too, so the graph adds a constant positional grid already
 * interpolated to the export's size, with no trace of the trained grid: how exports pass through optimisers (and
 * newer exporters' folding) come out. Run after generate.py, from the repository root, with the workspace installed.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession } from 'onnxruntime-node';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'backbone-onnx', 'test', 'fixtures', 'torch');
const session = await InferenceSession.create(join(fixtures, 'vits14-folded.onnx'), {
  graphOptimizationLevel: 'basic',
  optimizedModelFilePath: join(fixtures, 'vits14-onnxruntime-folded.onnx'),
});
await session.release();
