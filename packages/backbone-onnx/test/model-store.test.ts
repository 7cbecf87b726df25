import { cp, mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listStore, repositoryFor, resolveModel, storeFolder, type StoreEntry } from '../src/model-store.js';

async function storeWith(name: string): Promise<string> {
  const storeDir = await mkdtemp(join(tmpdir(), 'radprobe-store-'));
  const folder = storeFolder(storeDir, name);
  await mkdir(join(folder, 'onnx'), { recursive: true });
  await writeFile(join(folder, 'onnx', 'model.onnx'), 'graph');
  const entry: StoreEntry = {
    name,
    repo: repositoryFor(name),
    revision: 'main',
    modelFile: 'onnx/model.onnx',
    files: [{ path: 'onnx/model.onnx', size: 5, sha256: 'x' }],
    pulledAt: '2026-01-01T00:00:00.000Z',
  };
  await writeFile(join(folder, 'radprobe-store.json'), JSON.stringify(entry));
  return storeDir;
}

describe('model store', () => {
  it('maps short names to onnx-community repositories and accepts owner/repo', () => {
    expect(repositoryFor('dinov2-small')).toBe('onnx-community/dinov2-small');
    expect(repositoryFor('dinov2-with-registers-giant')).toBe('onnx-community/dinov2-with-registers-giant');
    expect(repositoryFor('Xenova/dinov2-base')).toBe('Xenova/dinov2-base');
    expect(() => repositoryFor('dinov3')).toThrow(/Unknown model "dinov3": use one of dinov2-small/);
  });

  it('resolves pulled names to their ONNX file, and an existing path before any name', async () => {
    const storeDir = await storeWith('dinov2-small');
    expect(await resolveModel('dinov2-small', storeDir)).toBe(join(storeDir, 'dinov2-small', 'onnx', 'model.onnx'));
    const baseDir = await mkdtemp(join(tmpdir(), 'radprobe-base-'));
    await writeFile(join(baseDir, 'dinov2-small'), 'a local file that happens to carry the name');
    expect(await resolveModel('dinov2-small', storeDir, baseDir)).toBe(join(baseDir, 'dinov2-small'));
  });

  it('tells the user to pull a name that is not in the store, and names a missing file', async () => {
    const storeDir = await mkdtemp(join(tmpdir(), 'radprobe-store-'));
    await expect(resolveModel('dinov2-base', storeDir)).rejects.toThrow(/run `radprobe model pull dinov2-base`/);
    await expect(resolveModel('models/vit.onnx', storeDir, '/data')).rejects.toThrow('Model file /data/models/vit.onnx does not exist');
  });

  it('lists short-name and owner/repo entries', async () => {
    const storeDir = await storeWith('dinov2-small');
    const other = await storeWith('Xenova/dinov2-base');
    await cp(join(other, 'Xenova'), join(storeDir, 'Xenova'), { recursive: true });
    const entries = await listStore(storeDir);
    expect(entries.map((entry) => [entry.name, entry.dir])).toEqual([
      ['dinov2-small', join(storeDir, 'dinov2-small')],
      ['Xenova/dinov2-base', join(storeDir, 'Xenova', 'dinov2-base')],
    ]);
    expect(await listStore(join(storeDir, 'absent'))).toEqual([]);
  });
});
