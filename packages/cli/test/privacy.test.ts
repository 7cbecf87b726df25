import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDinov2Fixture, writeImageFolderDataset } from '@radprobe/testkit';
import { filesUnder, smallConfig, writeConfig } from './fixtures.js';
import { runCli, temporaryDir } from './helpers.js';

/**
 * radprobe reads medical images: a run may write into its output, cache and model folders and nowhere else. The run
 * gets a home and a temporary folder of its own, where anything a runtime writes behind its back would land
 * (onnxruntime-node's telemetry queue under ~/.cache/Microsoft, its `mat-debug-<pid>.log` in the temporary folder).
 */
describe('a run writes nothing outside its own folders', () => {
  it('leaves home and the temporary folder empty, and only results, cache and the model in the project', async () => {
    const root = await temporaryDir('privacy');
    const [project, home, temporary] = [join(root, 'project'), join(root, 'home'), join(root, 'tmp')];
    await Promise.all([mkdir(home), mkdir(temporary)]);
    const model = await writeDinov2Fixture(join(project, 'model'), { embedDim: 32, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 1, style: 'hf' });
    await writeImageFolderDataset(join(project, 'data'), { perClass: { train: 6, val: 2, test: 4 }, size: 56, seed: 2 });
    await writeConfig(join(project, 'radprobe.json'), smallConfig({ model, inputSize: 56 }, { kind: 'image-folder', name: 'cxr', root: 'data' }));
    const before = new Set(await filesUnder(project));

    const environment = { HOME: home, TMPDIR: temporary, TMP: temporary, TEMP: temporary, XDG_CACHE_HOME: join(home, '.cache'), ORT_DISABLE_TELEMETRY: '' };
    const run = await runCli(['run'], { cwd: project, env: environment });
    expect(run.code, run.stderr).toBe(0);

    expect(await filesUnder(home)).toEqual([]);
    expect(await filesUnder(temporary)).toEqual([]);
    const written = (await filesUnder(project)).filter((file) => !before.has(file));
    expect(written.filter((file) => !file.startsWith(join(project, 'results')) && !file.startsWith(join(project, 'cache')))).toEqual([]);
  });
});
