import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RadprobeError, type BackboneFactory, type BackboneInputDescription } from '../src/index.js';
import { checkConfigFiles, loadConfig, type PluginRegistry } from '../src/engine/index.js';
import { fakeRegistry } from './fake-registry.js';
import { makeTempDir } from './plugin-fixtures.js';

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as BackboneInputDescription['normalization'];

/** The fake registry with annotated path options and a backbone that reads its model's input size from a file. */
function registryWithPaths(): PluginRegistry {
  const registry = fakeRegistry();
  const folder = registry.datasets.get('image-folder')!;
  folder.factory = {
    ...folder.factory,
    optionsSchema: {
      type: 'object',
      required: ['path'],
      properties: { path: { type: 'string', 'x-radprobe-path': 'dir' }, labels: { type: 'string', 'x-radprobe-path': 'file' } },
    },
  };
  const onnx = registry.backbones.get('onnx')!;
  const factory: BackboneFactory<{ model: string }> = {
    ...onnx.factory,
    // The "model" holds its fixed input side, or "dynamic"; a missing model is an error at its option.
    async describeInput(options, context) {
      const file = join(context.baseDir, options.model);
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(file, 'utf8').catch(() => {
        throw new RadprobeError(`Model file ${file} does not exist`, { file, pointer: '/model' });
      });
      const side = Number(text);
      return { fixedSize: text === 'dynamic' ? null : { height: side, width: side }, patchSize: 14, normalization: IMAGENET, sizeSource: `the graph of ${file}` };
    },
  };
  onnx.factory = factory as BackboneFactory;
  return registry;
}

async function check(dir: string, config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, 'radprobe.json');
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  const registry = registryWithPaths();
  const loaded = await loadConfig(file, registry);
  return checkConfigFiles(loaded, registry, env);
}

const base = (model: string, dataset: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  backbones: [{ kind: 'onnx', model }],
  datasets: [{ kind: 'image-folder', ...dataset }],
  protocols: [{ kind: 'knn' }],
  ...extra,
});

describe('checkConfigFiles', () => {
  it('finds nothing wrong when every path exists and the model takes the preprocessing size', async () => {
    const dir = await makeTempDir('check-files');
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'vit.onnx'), '224');
    expect(await check(dir, base('vit.onnx', { path: 'data' }))).toEqual([]);
  });

  it('names each missing or wrong-kind path at its pointer, with the variables that made it', async () => {
    const dir = await makeTempDir('check-files');
    await writeFile(join(dir, 'vit.onnx'), 'dynamic');
    await writeFile(join(dir, 'labels'), 'x');
    // The variable is substituted while loading: the message says what it was.
    process.env.CHECK_FILES_ROOT = join(dir, 'nowhere');
    const issues = await check(dir, base('vit.onnx', { path: '${env:CHECK_FILES_ROOT}/nih', labels: 'vit.onnx/..' }), { CHECK_FILES_ROOT: join(dir, 'nowhere') });
    delete process.env.CHECK_FILES_ROOT;
    expect(issues.map(({ pointer, message, line }) => ({ pointer, message, line }))).toEqual([
      { pointer: '/datasets/0/path', line: 11, message: `folder not found: ${join(dir, 'nowhere', 'nih')} (CHECK_FILES_ROOT=${join(dir, 'nowhere')})` },
      { pointer: '/datasets/0/labels', line: 12, message: `${dir} is a folder, not a file` },
    ]);
  });

  it('reports what the backbone says about its model at the option it names', async () => {
    const dir = await makeTempDir('check-files');
    await mkdir(join(dir, 'data'));
    const [issue] = await check(dir, base('missing.onnx', { path: 'data' }));
    expect(issue).toMatchObject({ pointer: '/backbones/0/model', line: 5, message: `Model file ${join(dir, 'missing.onnx')} does not exist` });
  });

  it('refuses a fixed 448 model under a 224 preset, naming the preprocessing that fits; that one passes', async () => {
    const dir = await makeTempDir('check-files');
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'vit448.onnx'), '448');
    const [study] = await check(dir, base('vit448.onnx', { path: 'data' }));
    expect(study.pointer).toBe('/preprocessing');
    expect(study.message).toBe(
      `backbone "vit448" (/backbones/0) takes 448×448 images (the graph of ${join(dir, 'vit448.onnx')}), but preprocessing "study" makes 224×224; ` +
        'use "preprocessing": {"preset":"study","resize":{"mode":"square","size":448}}',
    );
    expect(await check(dir, base('vit448.onnx', { path: 'data' }, { preprocessing: { preset: 'study', resize: { mode: 'square', size: 448 } } }))).toEqual([]);
    const [crop] = await check(dir, base('vit448.onnx', { path: 'data' }, { preprocessing: 'study-knn' }));
    expect(crop.message).toMatch(/preprocessing "study-knn" makes 224×224; use "preprocessing": \{"preset":"study-knn","resize":\{"mode":"square","size":512\},"centerCrop":448\}$/);
    expect(await check(dir, base('vit448.onnx', { path: 'data' }, { preprocessing: { preset: 'study-knn', resize: { mode: 'square', size: 512 }, centerCrop: 448 } }))).toEqual([]);
  });
});
