import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackboneContext } from '@radprobe/core';
import { decodeModel, encodeModel } from '@radprobe/onnx-format';
import { writeDinov2Fixture } from '@radprobe/testkit';
import { onnxBackboneFactory } from '../src/onnx-backbone.js';

const spec = { embedDim: 24, heads: 2, patchSize: 14, posGrid: 4, depth: 2, seed: 1 } as const;

async function context(): Promise<BackboneContext> {
  const dir = await mkdtemp(join(tmpdir(), 'radprobe-describe-'));
  return { baseDir: dir, modelStoreDir: join(dir, 'store'), device: 'cpu', log: () => {} };
}

describe('describeInput (no session)', () => {
  it('says what create finds: patch size, normalisation, and that a symbolic input takes any size', async () => {
    const where = await context();
    const model = await writeDinov2Fixture(where.baseDir, { ...spec, style: 'hf' });
    const described = await onnxBackboneFactory.describeInput!({ model }, where);
    const backbone = await onnxBackboneFactory.create({ model }, where);
    expect(described).toEqual({ fixedSize: null, patchSize: backbone.info.patchSize, normalization: backbone.info.normalization, sizeSource: `input "pixel_values" of ${model}` });
    await backbone.dispose();
  });

  it('reads the size a graph fixes', async () => {
    const where = await context();
    const model = await writeDinov2Fixture(where.baseDir, { ...spec, style: 'meta' });
    const decoded = decodeModel(await readFile(model));
    decoded.graph.input[0].type!.tensorType!.shape = [{ dimParam: 'batch' }, { dimValue: 3 }, { dimValue: 448 }, { dimValue: 448 }];
    await writeFile(model, encodeModel(decoded));
    expect((await onnxBackboneFactory.describeInput!({ model }, where)).fixedSize).toEqual({ height: 448, width: 448 });
  });

  it('puts a missing model or store name, and a missing manifest, at the option at fault', async () => {
    const where = await context();
    await expect(onnxBackboneFactory.describeInput!({ model: 'absent.onnx' }, where)).rejects.toMatchObject({ pointer: '/model', message: expect.stringContaining('absent.onnx does not exist') });
    await expect(onnxBackboneFactory.describeInput!({ model: 'dinov2-small' }, where)).rejects.toMatchObject({ pointer: '/model', message: expect.stringContaining('radprobe model pull dinov2-small') });
    const model = await writeDinov2Fixture(where.baseDir, { ...spec, style: 'meta' });
    await expect(onnxBackboneFactory.describeInput!({ model, manifest: 'none.json' }, where)).rejects.toMatchObject({ pointer: '/manifest' });
  });
});
