import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '@radprobe/core';
import { FakeHub, writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
import { resultsOf, smallConfig, writeConfig } from './fixtures.js';
import { runCli, temporaryDir } from './helpers.js';

/** The files of a Hugging Face ONNX repository, as the testkit writes them for a small HF-style ViT. */
async function hubFiles(): Promise<Record<string, Uint8Array>> {
  const source = await temporaryDir('hub-source');
  await writeDinov2Fixture(source, { embedDim: 32, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 8, style: 'hf' });
  const paths = ['onnx/model.onnx', 'config.json', 'preprocessor_config.json'];
  return Object.fromEntries(await Promise.all(paths.map(async (path) => [path, new Uint8Array(await readFile(join(source, path)))])));
}

describe('radprobe model pull / ls, and a run naming the model by its store name', () => {
  let hub: FakeHub;
  let files: Record<string, Uint8Array>;
  beforeAll(async () => {
    files = await hubFiles();
    hub = await new FakeHub({ repo: 'onnx-community/dinov2-small', files }).start();
  });
  afterAll(() => hub.stop());

  it('pulls dinov2-small from a hub on 127.0.0.1 into the store, lists it, and evaluates it', async () => {
    const dir = await temporaryDir('model-pull');
    const store = join(dir, 'store');
    // HF_TOKEN is emptied so that a token in the developer's environment is never sent to the fake hub.
    const env = { HF_ENDPOINT: hub.endpoint, HF_TOKEN: '' };
    const modelPath = join(store, 'dinov2-small', 'onnx', 'model.onnx');

    const pulled = await runCli(['model', 'pull', 'dinov2-small', '--store', store], { cwd: dir, env });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toBe(`dinov2-small is in the model store: ${modelPath}\nuse it in a config as { "kind": "onnx", "model": "dinov2-small" }\n`);
    expect(new Uint8Array(await readFile(modelPath))).toEqual(files['onnx/model.onnx']);
    expect(await readFile(join(store, 'dinov2-small', 'config.json'), 'utf8')).toBe(new TextDecoder().decode(files['config.json']));

    const listed = await runCli(['model', 'ls', '--store', store, '--json'], { cwd: dir });
    expect(listed.code, listed.stderr).toBe(0);
    const [entry, ...others] = JSON.parse(listed.stdout) as Array<{ name: string; repo: string; revision: string; modelFile: string }>;
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ name: 'dinov2-small', repo: 'onnx-community/dinov2-small', revision: 'main', modelFile: 'onnx/model.onnx' });

    await writeImageFolderDataset(join(dir, 'data'), { classes: ['normal', 'effusion'], perClass: { train: 6, val: 2, test: 4 }, size: 56, seed: 2 });
    await writeConfig(
      join(dir, 'radprobe.json'),
      smallConfig({ name: 'small', model: 'dinov2-small' }, { kind: 'image-folder', name: 'cxr', root: 'data' }, { modelStore: store }),
    );
    const run = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const results = await resultsOf(run);
    expect(results.cells.map((cell) => `${cell.backbone}/${cell.dataset}/${cell.protocol}:${cell.status}`)).toEqual(['small/cxr/knn:completed']);
    // The weights hash is that of the downloaded file, which is the hub's file byte for byte.
    expect(results.provenance.backbones).toEqual([expect.objectContaining({ name: 'small', weightsHash: sha256(files['onnx/model.onnx']) })]);
  });
});
