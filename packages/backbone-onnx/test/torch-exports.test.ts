import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backbone, BackboneContext, VitWeights } from '@radprobe/core';
import { readTorchFixture, TORCH_FIXTURE_NAMES, TORCH_FIXTURES_DIR, type TorchFixtureName } from '@radprobe/testkit';
import { onnxBackboneFactory } from '../src/onnx-backbone.js';

/*
 * Exports made by torch.onnx.export (torch 1.13.1, opset 17) of Meta's own DINOv2 code: see
 * scripts/torch-fixtures/README.md. Input 56×56 (a 4×4 patch grid), trained positional grid 6×6.
 */
const scratch = await mkdtemp(join(tmpdir(), 'radprobe-torch-exports-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

function context(log: (message: string) => void = () => {}): BackboneContext {
  return { baseDir: TORCH_FIXTURES_DIR, modelStoreDir: join(scratch, 'store'), device: 'cpu', log };
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

async function trainableWeights(modelPath: string, log?: (message: string) => void): Promise<{ backbone: Backbone; weights: VitWeights }> {
  const backbone = await onnxBackboneFactory.create({ model: modelPath }, context(log));
  const network = await backbone.trainable!();
  expect(network).not.toBeNull();
  return { backbone, weights: await network!.weights() };
}

const architecture = { embedDim: 32, depth: 3, heads: 4, patchSize: 14, mlpHidden: 128, layerNormEpsilon: expect.closeTo(1e-6, 12) };

describe("torch.onnx exports of Meta's get_intermediate_layers", () => {
  it.each(TORCH_FIXTURE_NAMES)("%s: onnxruntime's features equal torch's outputs within 1e-4", async (name) => {
    const fixture = await readTorchFixture(name);
    const backbone = await onnxBackboneFactory.create({ model: fixture.modelPath }, context());
    const [batch, , height, width] = fixture.input.shape;
    const embedded = await backbone.embed(fixture.input.values, batch, height, width);
    expect(embedded.cls).toHaveLength(2);
    embedded.cls.forEach((cls, block) => {
      expect(maxAbsDifference(embedded.patch![block], fixture.outputs[2 * block].values)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDifference(cls, fixture.outputs[2 * block + 1].values)).toBeLessThanOrEqual(1e-4);
    });
    await backbone.dispose();
  });
});

describe('trainable() on real torch exports, without a manifest or config.json', () => {
  const unfolded = readTorchFixture('vits14-unfolded').then((fixture) => trainableWeights(fixture.modelPath));
  afterAll(async () => (await unfolded).backbone.dispose());

  it('vits14-unfolded: pos_embed under its name, the heads from the attention Reshape of a dynamic-batch graph', async () => {
    const fixture = await readTorchFixture('vits14-unfolded');
    const { weights } = await unfolded;
    expect(weights.architecture).toEqual({ ...architecture, registerTokens: 0, positionGrid: 6, positionInterpolation: { mode: 'scale', offset: 0.1 } });
    expect(weights.parameters.get('pos_embed')!.values).toEqual(fixture.posEmbed.values);
  });

  it.each(['vits14-folded', 'vits14-static'] as const)(
    '%s: the trained 6×6 grid recovered exactly from the constants constant folding left, every parameter as the unfolded export holds it',
    async (name) => {
      const fixture = await readTorchFixture(name);
      const { backbone, weights } = await trainableWeights(fixture.modelPath);
      expect(weights.architecture).toEqual({ ...architecture, registerTokens: 0, positionGrid: 6, positionInterpolation: { mode: 'scale', offset: 0.1 } });
      const reference = (await unfolded).weights.parameters;
      expect([...weights.parameters.keys()].sort()).toEqual([...reference.keys()].sort());
      for (const [parameter, tensor] of reference) expect(weights.parameters.get(parameter)!.values, parameter).toEqual(tensor.values);
      await backbone.dispose();
    },
  );

  it("vits14-reg4-precomputed: the register model's positional embedding, precomputed at the export size, is the 4×4 grid", async () => {
    const fixture = await readTorchFixture('vits14-reg4-precomputed');
    const { backbone, weights } = await trainableWeights(fixture.modelPath);
    expect(weights.architecture).toEqual({ ...architecture, registerTokens: 4, positionGrid: 4, positionInterpolation: { mode: 'size' } });
    expect(weights.parameters.get('pos_embed')!.values).toEqual(fixture.posEmbed.values);
    await backbone.dispose();
  });

  it("vits14-onnxruntime-folded: only the export's 4×4 grid is left, which trains as is at that size, and the backbone says so once", async () => {
    const fixture = await readTorchFixture('vits14-onnxruntime-folded');
    const messages: string[] = [];
    const { backbone, weights } = await trainableWeights(fixture.modelPath, (message) => messages.push(message));
    expect(weights.architecture).toEqual({ ...architecture, registerTokens: 0, positionGrid: 4, positionInterpolation: { mode: 'fixed' } });
    // What onnxruntime's folding computed is Meta's interpolation to the export's grid (both in float32).
    expect(maxAbsDifference(weights.parameters.get('pos_embed')!.values, fixture.positionsAtExport.values)).toBeLessThanOrEqual(1e-5);
    await backbone.trainable!();
    const notes = messages.filter((message) => message.includes('positional embedding'));
    expect(notes).toEqual([
      `${fixture.modelPath}: the export folded the positional embedding, already interpolated to its 4×4 patch grid, into a constant; ` +
        'the trained grid cannot be recovered, so training uses that grid itself as the positional parameter, at 56×56 inputs only',
    ]);
    await backbone.dispose();
  });
});

describe('writeWeights() into real torch exports', () => {
  it.each(['vits14-folded', 'vits14-static', 'vits14-onnxruntime-folded'] as const satisfies readonly TorchFixtureName[])(
    '%s: a changed pos_embed goes back into the constants it was read from, and the written file computes with it',
    async (name) => {
      const fixture = await readTorchFixture(name);
      const { backbone, weights } = await trainableWeights(fixture.modelPath);
      const network = (await backbone.trainable!())!;
      const positions = weights.parameters.get('pos_embed')!;
      const changed = Float32Array.from(positions.values);
      changed[3] += 0.5; // the CLS position
      changed[32 * 7 + 5] -= 0.75; // patch position 6
      const parameters = new Map(weights.parameters).set('pos_embed', { shape: positions.shape, values: changed });
      const output = join(scratch, name, 'model.onnx');
      await network.writeWeights(parameters, output);
      const [batch, , height, width] = fixture.input.shape;
      const before = await backbone.embed(fixture.input.values, batch, height, width);
      await backbone.dispose();
      const written = await trainableWeights(output);
      expect(written.weights.parameters.get('pos_embed')!.values).toEqual(changed);
      const after = await written.backbone.embed(fixture.input.values, batch, height, width);
      expect(maxAbsDifference(after.cls[1], before.cls[1])).toBeGreaterThan(1e-3);
      await written.backbone.dispose();
    },
  );
});

describe('the exporting recipe', () => {
  it("docs/backbones.md quotes the code that made these fixtures, verbatim", async () => {
    const repository = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
    const docs = await readFile(join(repository, 'docs', 'backbones.md'), 'utf8');
    const generator = await readFile(join(repository, 'scripts', 'torch-fixtures', 'generate.py'), 'utf8');
    const quoted = /From `scripts\/torch-fixtures\/generate\.py`:\n\n```python\n([\s\S]*?)```/.exec(docs);
    expect(quoted).not.toBeNull();
    expect(quoted![1]).toContain('torch.onnx.export(');
    expect(generator).toContain(quoted![1]);
  });
});
