import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '@radprobe/onnx-format';
import { writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
import { resultsOf, smallConfig, writeConfig } from './fixtures.js';
import { runCli, temporaryDir } from './helpers.js';

const DATA = { classes: ['normal', 'effusion'], perClass: { train: 4, val: 2, test: 2 }, size: 28, seed: 3 };
const SPEC = { embedDim: 32, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 5, style: 'meta' } as const;

/** The fixture ViT, exported with its input fixed at `side`² as an export for one resolution is. */
async function fixedSizeModel(dir: string, side: number): Promise<string> {
  const path = await writeDinov2Fixture(dir, SPEC, `vit${side}`);
  const model = decodeModel(await readFile(path));
  model.graph.input[0].type!.tensorType!.shape = [{ dimParam: 'batch' }, { dimValue: 3 }, { dimValue: side }, { dimValue: side }];
  await writeFile(path, encodeModel(model));
  return path;
}

const validate = (dir: string, env: Record<string, string> = {}) => runCli(['validate', 'radprobe.json'], { cwd: dir, env });

describe('radprobe validate checks what exists without running anything', () => {
  let dynamicModel: string;
  beforeAll(async () => {
    dynamicModel = await writeDinov2Fixture(await temporaryDir('validate-model'), SPEC);
  });

  it('refuses a 448 export under the 224 study preset, naming the preprocessing that fits, and accepts that one', async () => {
    const dir = await temporaryDir('validate-448');
    await writeImageFolderDataset(join(dir, 'data'), DATA);
    const model = await fixedSizeModel(dir, 448);
    const config = smallConfig(model, { kind: 'image-folder', root: 'data' });
    await writeConfig(join(dir, 'radprobe.json'), config);
    const refused = await validate(dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `radprobe: radprobe.json:1:1 /preprocessing: backbone "vit" (/backbones/0) takes 448×448 images (input "input" of ${model}), ` +
        'but preprocessing "study" makes 224×224; use "preprocessing": {"preset":"study","resize":{"mode":"square","size":448}}\n',
    );
    await writeConfig(join(dir, 'radprobe.json'), { ...config, preprocessing: { preset: 'study', resize: { mode: 'square', size: 448 } } });
    const accepted = await validate(dir);
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
  });

  it('names a missing dataset root at its pointer, with the variable it came from, and a model store name never pulled', async () => {
    const dir = await temporaryDir('validate-paths');
    const config = smallConfig('dinov2-small', { kind: 'image-folder', root: '${env:VALIDATE_DATA}/cxr' });
    const text = await writeConfig(join(dir, 'radprobe.json'), config);
    const lineOf = (needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;
    const store = join(dir, 'store');
    const result = await validate(dir, { VALIDATE_DATA: join(dir, 'nowhere'), RADPROBE_MODEL_STORE: store });
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('radprobe: radprobe.json: 2 errors');
    expect(lines[1]).toMatch(new RegExp(`^radprobe\\.json:${lineOf('"model"')}:\\d+ /backbones/0/model: Model "dinov2-small" is not in the model store ${store}: run \`radprobe model pull dinov2-small\``));
    expect(lines[2]).toMatch(new RegExp(`^radprobe\\.json:${lineOf('"root"')}:\\d+ /datasets/0/root: folder not found: ${join(dir, 'nowhere', 'cxr')} \\(VALIDATE_DATA=${join(dir, 'nowhere')}\\)$`));
  });

  it('suggests a kind from all sections and from first-party plugins (nih → nih-chestxray14)', async () => {
    const dir = await temporaryDir('validate-kinds');
    await writeConfig(join(dir, 'radprobe.json'), smallConfig(dynamicModel, { kind: 'nih', root: 'data' }));
    const result = await validate(dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\/datasets\/0\/kind: unknown dataset kind 'nih' \(installed: [^)]*\); did you mean 'nih-chestxray14'\?/);
  });

  it('reads a single value as a list of one ("k": 5), in validate and in the config a run records', async () => {
    const dir = await temporaryDir('validate-list');
    await writeImageFolderDataset(join(dir, 'data'), DATA);
    await writeConfig(join(dir, 'radprobe.json'), smallConfig(dynamicModel, { kind: 'image-folder', root: 'data' }, { protocols: [{ kind: 'knn', k: 3 }] }));
    const checked = await validate(dir);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stderr).toBe('note: /protocols/0/k: 3 read as a list of one\n');
    const run = await runCli(['run', 'radprobe.json', '--reporter', 'jsonl'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const results = await resultsOf(run);
    expect((results.config.protocols as Array<{ k: number[] }>)[0].k).toEqual([3]);
    expect(results.cells[0].result!.rows.map((row) => row.setting.k)).toEqual([3]);
  }, 60_000);
});

describe('radprobe validate --json, which the editor reads', () => {
  it('reports files not found and unset variables as issues with line, column, pointer and the check that found them', async () => {
    const dir = await temporaryDir('validate-json');
    const model = await writeDinov2Fixture(await temporaryDir('validate-model'), SPEC);
    const config = smallConfig(model, { kind: 'image-folder', root: 'data/missing' });
    const text = await writeConfig(join(dir, 'radprobe.json'), config);
    const lineOf = (needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;
    const missingRoot = await runCli(['validate', 'radprobe.json', '--json'], { cwd: dir });
    expect(missingRoot.code, missingRoot.stderr).toBe(1);
    expect(JSON.parse(missingRoot.stdout)).toEqual({
      file: join(dir, 'radprobe.json'),
      valid: false,
      issues: [
        { file: 'radprobe.json', line: lineOf('"root"'), column: expect.any(Number), pointer: '/datasets/0/root', message: `folder not found: ${join(dir, 'data', 'missing')}`, check: 'files' },
      ],
    });

    await writeConfig(join(dir, 'radprobe.json'), { ...config, datasets: [{ kind: 'image-folder', root: '${env:VALIDATE_JSON_UNSET}/cxr' }] });
    const unset = await runCli(['validate', 'radprobe.json', '--json'], { cwd: dir });
    expect(unset.code, unset.stderr).toBe(1);
    expect(JSON.parse(unset.stdout).issues).toEqual([expect.objectContaining({ pointer: '/datasets/0/root', check: 'variables', message: expect.stringMatching(/^environment variable VALIDATE_JSON_UNSET is not set/) })]);

    await writeImageFolderDataset(join(dir, 'data'), DATA);
    await writeConfig(join(dir, 'radprobe.json'), { ...config, datasets: [{ kind: 'image-folder', root: 'data' }] });
    const valid = await runCli(['validate', 'radprobe.json', '--json'], { cwd: dir });
    expect(valid.code, valid.stderr).toBe(0);
    expect(JSON.parse(valid.stdout)).toEqual({ file: join(dir, 'radprobe.json'), valid: true, issues: [] });
  });
});

describe('a path made from a variable', () => {
  it('is reported with the variable even when the folder above exists', async () => {
    const dir = await temporaryDir('validate-variable');
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', 'not-a-folder'), '');
    const model = await writeDinov2Fixture(await temporaryDir('validate-model'), SPEC);
    await writeConfig(join(dir, 'radprobe.json'), smallConfig(model, { kind: 'image-folder', root: '${env:VALIDATE_ROOT:-data/not-a-folder}' }));
    const result = await validate(dir);
    expect(result.stderr).toMatch(new RegExp(`/datasets/0/root: ${join(dir, 'data', 'not-a-folder')} is a file, not a folder \\(VALIDATE_ROOT unset, its default used\\)\\n$`));
  });
});
