import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real `torch.onnx.export`s of Meta's DINOv2 code committed in packages/backbone-onnx/test/fixtures/torch
 * (made by scripts/torch-fixtures/generate.py; see its README): tiny widths, random weights.
 */
export const TORCH_FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'backbone-onnx', 'test', 'fixtures', 'torch');

/**
 * `folded`, `unfolded`: `do_constant_folding` True / False, batch axis dynamic; `static`: folded, no dynamic axis;
 * `reg4-precomputed`: the register model (antialiased positions) with its positional embedding precomputed at the
 * export size; `onnxruntime-folded`: `folded` after onnxruntime's constant folding, which evaluates the positional
 * Resize too (scripts/torch-fixtures/fold-with-onnxruntime.mjs).
 */
export const TORCH_FIXTURE_NAMES = ['vits14-folded', 'vits14-unfolded', 'vits14-static', 'vits14-reg4-precomputed', 'vits14-onnxruntime-folded'] as const;
export type TorchFixtureName = (typeof TORCH_FIXTURE_NAMES)[number];

/** A float32 tensor as the generator stores it: its shape and its little-endian bytes in base64. */
interface StoredTensor {
  shape: number[];
  float32: string;
}

export interface FixtureTensor {
  shape: number[];
  values: Float32Array;
}

export interface TorchFixture {
  modelPath: string;
  /** `[2, 3, 56, 56]`, the same for every fixture. */
  input: FixtureTensor;
  /** What Meta's model computes in torch on `input`: per exposed block, in block order, patch tokens `[B, N, D]` then CLS `[B, D]`. */
  outputs: FixtureTensor[];
  /** The exported model's `pos_embed` parameter, `[1, 1 + G², D]`. */
  posEmbed: FixtureTensor;
  /** The positional embedding Meta's code adds at the export size, `[1, 1 + N, D]`. */
  positionsAtExport: FixtureTensor;
}

function decoded(stored: StoredTensor): FixtureTensor {
  const bytes = Buffer.from(stored.float32, 'base64');
  const values = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(4 * i, true);
  return { shape: stored.shape, values };
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(join(TORCH_FIXTURES_DIR, file), 'utf8')) as T;
}

/** A fixture's model path, the generator's input and torch's outputs on it. */
export async function readTorchFixture(name: TorchFixtureName): Promise<TorchFixture> {
  // The optimised file computes what its source does: torch's outputs are those of vits14-folded.
  const source = name === 'vits14-onnxruntime-folded' ? 'vits14-folded' : name;
  const expected = await readJson<{ outputs: StoredTensor[]; pos_embed: StoredTensor; positions_at_export: StoredTensor }>(`${source}.expected.json`);
  return {
    modelPath: join(TORCH_FIXTURES_DIR, `${name}.onnx`),
    input: decoded(await readJson<StoredTensor>('input.json')),
    outputs: expected.outputs.map(decoded),
    posEmbed: decoded(expected.pos_embed),
    positionsAtExport: decoded(expected.positions_at_export),
  };
}
