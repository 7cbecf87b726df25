import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RadprobeError } from '../src/index.js';
import { fakePlugins, runFake, writeFakeConfig } from './fake-run.js';

describe('artifact folders are unique per cell', () => {
  it('keeps apart backbones whose names differ only in characters a path cannot hold', async () => {
    const names = ['vit/a', 'vit_a', 'vit%2Fa', '..', '.', 'x\\y', 'zürich'];
    const dir = await writeFakeConfig({
      backbones: names.map((name) => ({ kind: 'fake', name })),
      protocols: [{ kind: 'count', artifact: true }],
    });
    const { results, outcome } = await runFake(dir, fakePlugins());
    const files = results.cells.map((cell) => cell.artifacts![0].file);
    expect(new Set(files).size).toBe(names.length);
    expect(files.slice(0, 3)).toEqual(['artifacts/vit%2Fa/memory/count/mask.png', 'artifacts/vit_a/memory/count/mask.png', 'artifacts/vit%252Fa/memory/count/mask.png']);
    for (const [index, file] of files.entries()) {
      const [, backbone] = file.split('/');
      expect(decodeURIComponent(backbone)).toBe(names[index]);
      expect(backbone).toMatch(/^[A-Za-z0-9_%-][A-Za-z0-9._%-]*$/);
      expect(await readFile(join(outcome.outputDir, file), 'utf8')).toMatch(/^memory:/);
    }
  });

  it('refuses, before any work, two cells whose folders differ only in case (one folder on macOS and Windows)', async () => {
    const dir = await writeFakeConfig({ backbones: [{ kind: 'fake', name: 'ViT' }, { kind: 'fake', name: 'vit' }] });
    const plugins = fakePlugins();
    const error = await runFake(dir, plugins).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(RadprobeError);
    expect((error as Error).message).toBe(
      'backbones "ViT" and "vit" would share the artifact folder artifacts/vit on a case-insensitive file system (macOS, Windows): give them names that differ in more than case',
    );
    expect(plugins.record.embedded).toBe(0);
  });
});
