import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOnnxManifest, readOnnxManifest } from '../src/onnx-manifest.js';

describe('ONNX manifest', () => {
  it('accepts a full manifest', () => {
    const manifest = {
      outputs: { cls: ['c2', 'c3'], patch: ['p2', 'p3'] },
      blocks: [10, 11],
      depth: 12,
      heads: 6,
      patchSize: 14,
      registerTokens: 0,
      inputSize: { height: 448, width: 224 },
      normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    };
    expect(checkOnnxManifest(manifest, 'm.json')).toEqual(manifest);
    expect(checkOnnxManifest({ outputs: { tokens: ['seq'] } }, 'm.json')).toEqual({ outputs: { tokens: ['seq'] } });
  });

  it('names the file and the JSON pointer of a schema violation', () => {
    expect(() => checkOnnxManifest({ patchSize: 0 }, '/models/m.json')).toThrow(/\/models\/m\.json: \/patchSize: must be >= 1/);
    expect(() => checkOnnxManifest({ heads: 0 }, 'm.json')).toThrow(/\/heads: must be >= 1/);
    expect(() => checkOnnxManifest({ patchsize: 14 }, 'm.json')).toThrow(/unknown field "patchsize"/);
    expect(() => checkOnnxManifest({ normalization: { mean: [0, 0, 0], std: [1, 0, 1] } }, 'm.json')).toThrow(
      /\/normalization\/std\/1/,
    );
    try {
      checkOnnxManifest({ outputs: { cls: ['a'] } }, 'm.json');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain("/outputs: must have required property 'patch'");
    }
  });

  it('checks that outputs pair up and blocks match them', () => {
    expect(() => checkOnnxManifest({ outputs: { cls: ['a', 'b'], patch: ['c'] } }, 'm.json')).toThrow(/pair up block by block/);
    expect(() => checkOnnxManifest({ outputs: { tokens: ['a'] }, blocks: [10, 11] }, 'm.json')).toThrow(/\/blocks lists 2 blocks/);
    expect(() => checkOnnxManifest({ blocks: [3, 3] }, 'm.json')).toThrow(/strictly ascending/);
    expect(() => checkOnnxManifest({ blocks: [11, 12], depth: 12 }, 'm.json')).toThrow(/block 12 does not exist in a network of depth 12/);
  });

  it('reads a file and reports broken JSON with the file name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radprobe-manifest-'));
    const file = join(dir, 'model.onnx.radprobe.json');
    await writeFile(file, '{"patchSize": 16}');
    expect(await readOnnxManifest(file)).toEqual({ patchSize: 16 });
    await writeFile(file, '{"patchSize": ');
    await expect(readOnnxManifest(file)).rejects.toThrow(`ONNX manifest ${file} is not valid JSON`);
    await expect(readOnnxManifest(join(dir, 'absent.json'))).rejects.toThrow(/Cannot read ONNX manifest .*absent\.json/);
  });
});
