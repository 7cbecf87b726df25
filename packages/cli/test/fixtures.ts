import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { writeFileAtomic, type RunEvent, type RunResults } from '@radprobe/core';
import {
  TensorDataType,
  encodeModel,
  int64Tensor,
  intsAttribute,
  tensorValueInfo,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from '@radprobe/onnx-format';
import type { CliRun } from './helpers.js';

/** Writes a config as indented JSON (one key per line, so that errors point at distinct lines) and returns its text. */
export async function writeConfig(path: string, config: Record<string, unknown>): Promise<string> {
  const text = `${JSON.stringify(config, null, 2)}\n`;
  await writeFileAtomic(path, text);
  return text;
}

/** A config of one ONNX backbone × one dataset × kNN, small enough to run in a second. */
export function smallConfig(model: string | Record<string, unknown>, dataset: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    seed: 1,
    cache: 'cache',
    output: 'results',
    batchSize: 4,
    bootstrap: { samples: 50, confidence: 0.95 },
    backbones: [typeof model === 'string' ? { kind: 'onnx', name: 'vit', model } : { kind: 'onnx', name: 'vit', ...model }],
    datasets: [dataset],
    protocols: [{ kind: 'knn', k: [3] }],
    ...extra,
  };
}

/** Every file under `dir`, recursively (hidden ones too). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** A RadprobeError as users see it: exit code 2 and one line on stderr, no stack, containing every fragment. */
export function expectOneClearLine(run: CliRun, ...fragments: string[]): string {
  expect(run.code, run.stderr).toBe(2);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^radprobe: /);
  for (const fragment of fragments) expect(lines[0]).toContain(fragment);
  return lines[0];
}

/** A failed run leaves no results folder and no temporary file anywhere under `dir`. */
export async function expectNothingHalfWritten(dir: string): Promise<void> {
  const files = await filesUnder(dir);
  expect(files.filter((file) => file.endsWith('.tmp'))).toEqual([]);
  expect(files.filter((file) => file.startsWith(join(dir, 'results')))).toEqual([]);
}

/** The results.json a finished `--reporter jsonl` run wrote. */
export async function resultsOf(run: CliRun): Promise<RunResults> {
  const end = run.events.find((event): event is Extract<RunEvent, { type: 'run-end' }> => event.type === 'run-end');
  expect(end, run.stderr).toBeDefined();
  return JSON.parse(await readFile(join(end!.outputDir, 'results.json'), 'utf8')) as RunResults;
}

/** The `embedding N items (M cached)` log line of a jsonl run, as [N, M]; [0, all] when nothing was embedded. */
export function embeddedAndCached(run: CliRun): [number, number] | null {
  const log = run.events.find((event): event is Extract<RunEvent, { type: 'log' }> => event.type === 'log' && event.message.startsWith('embedding '));
  if (!log) return null;
  const [, embedded, cached] = /^embedding (\d+) items \((\d+) cached\)/.exec(log.message)!.map(Number);
  return [embedded, cached];
}

/** An ONNX file (opset 17) of the given graph. */
function onnxModel(graph: { node: OnnxNode[]; initializer?: OnnxTensor[]; input: OnnxValueInfo[]; output: OnnxValueInfo[] }): Uint8Array {
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    metadataProps: [],
    graph: { name: 'main_graph', initializer: [], valueInfo: [], ...graph },
  });
}

/** A text model: int64 token ids in, the same out. Not an image backbone. */
export function tokenIdsModel(): Uint8Array {
  return onnxModel({
    node: [{ opType: 'Identity', input: ['input_ids'], output: ['output'], attribute: [] }],
    input: [tensorValueInfo('input_ids', TensorDataType.INT64, ['batch', 'tokens'])],
    output: [tensorValueInfo('output', TensorDataType.INT64, ['batch', 'tokens'])],
  });
}

/** Row and first column of the five pixels the log-pixels model reads: the centre of a 28×28 input. */
export const LOG_PIXELS_ROW = 14;
export const LOG_PIXELS_COLUMN = 12;

/**
 * A stand-in backbone in the Hugging Face layout: `pixel_values` [B, 3, 28, 28] → `last_hidden_state` [B, 5, 3],
 * token t being the log of the three channels of pixel (14, 12 + t). Pixels are viewed as [B, 784, 3] tokens
 * (Reshape to [B, 3, 784], Transpose), the five tokens sliced out, then Log: a pixel normalised below zero gives
 * NaN, exactly the failure of a real model that diverges on some inputs. With patch size 14 the 28×28 input has
 * 4 patches, so 5 tokens are CLS and 4 patch tokens, no registers.
 */
export function logPixelsModel(): Uint8Array {
  const first = LOG_PIXELS_ROW * 28 + LOG_PIXELS_COLUMN;
  return onnxModel({
    node: [
      { opType: 'Reshape', input: ['pixel_values', 'flat_shape'], output: ['channels_by_pixel'], attribute: [] },
      { opType: 'Transpose', input: ['channels_by_pixel'], output: ['pixels'], attribute: [intsAttribute('perm', [0, 2, 1])] },
      { opType: 'Slice', input: ['pixels', 'slice_start', 'slice_end', 'slice_axis'], output: ['tokens'], attribute: [] },
      { opType: 'Log', input: ['tokens'], output: ['last_hidden_state'], attribute: [] },
    ],
    initializer: [
      int64Tensor('flat_shape', [3], [-1, 3, 28 * 28]),
      int64Tensor('slice_start', [1], [first]),
      int64Tensor('slice_end', [1], [first + 5]),
      int64Tensor('slice_axis', [1], [1]),
    ],
    input: [tensorValueInfo('pixel_values', TensorDataType.FLOAT, ['batch', 3, 28, 28])],
    output: [tensorValueInfo('last_hidden_state', TensorDataType.FLOAT, ['batch', 5, 3])],
  });
}
