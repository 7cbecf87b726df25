import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvManifestDataset, dicomDataset, imageFolderDataset } from '../src/index.js';
import { imageElements, pixelData8, writeDicom } from './dicom-writer.js';
import { contextAt, temporaryFolder, writeGrayPng, writeText } from './fixtures.js';

/** train/normal (3 images), train/effusion (2), test/normal (1), test/effusion (1). */
async function imageFolder(): Promise<string> {
  const root = await temporaryFolder();
  const files = ['train/normal/n1.png', 'train/normal/n2.png', 'train/normal/n3.png', 'train/effusion/e1.png', 'train/effusion/e2.png', 'test/normal/n4.png', 'test/effusion/e3.png'];
  for (const [index, file] of files.entries()) await writeGrayPng(join(root, file), index * 10);
  return root;
}

const trainCount = (items: ReadonlyArray<{ split: string }>) => items.filter((item) => item.split === 'train').length;

describe('directory walks: each real folder read once, each real file listed once', () => {
  it('a "loop -> ." link in a class folder is reported, and TRAIN keeps its 5 images', async () => {
    const root = await imageFolder();
    await symlink('.', join(root, 'train/normal/loop'));
    const dataset = await imageFolderDataset.create({ root }, contextAt('/'));
    expect(trainCount(dataset.items)).toBe(5);
    expect(dataset.skipped).toEqual([{ source: join(root, 'train/normal/loop'), reason: `symbolic link loop: leads back to ${join(root, 'train/normal')}, which is read once` }]);
  });

  it('two loops (to the folder and to its parent) end, and every image is listed once', { timeout: 20_000 }, async () => {
    const root = await imageFolder();
    await symlink('.', join(root, 'train/normal/loop'));
    await symlink('..', join(root, 'train/normal/up'));
    const dataset = await imageFolderDataset.create({ root }, contextAt('/'));
    expect(dataset.items.map((item) => item.id)).toEqual([
      'test/effusion/e3.png', 'test/normal/n4.png', 'train/effusion/e1.png', 'train/effusion/e2.png', 'train/normal/n1.png', 'train/normal/n2.png', 'train/normal/n3.png',
    ]);
    expect(dataset.skipped.map((item) => item.source).sort()).toEqual([join(root, 'train/normal/loop'), join(root, 'train/normal/up')]);
  });

  it('a link to an image already listed, in the same class or another, is one image reported as a duplicate', async () => {
    const root = await imageFolder();
    // In one folder the file itself is kept whatever the names' order; across folders, the first in sorted order.
    await symlink('n1.png', join(root, 'train/normal/a-link.png'));
    await symlink('../normal/n2.png', join(root, 'train/effusion/e9.png'));
    const dataset = await imageFolderDataset.create({ root }, contextAt('/'));
    expect(trainCount(dataset.items)).toBe(5);
    expect(dataset.items.map((item) => item.id)).toContain('train/normal/n1.png');
    expect(dataset.skipped).toEqual([
      { source: join(root, 'train/normal/n2.png'), reason: `the same file as ${join(root, 'train/effusion/e9.png')}, which is listed once` },
      { source: join(root, 'train/normal/a-link.png'), reason: `the same file as ${join(root, 'train/normal/n1.png')}, which is listed once` },
    ]);
  });

  it('a DICOM series folder with a loop is read once', async () => {
    const root = await temporaryFolder();
    const slice = (instance: number) => writeDicom({
      encoding: 'explicit',
      elements: [...imageElements({ rows: 2, columns: 2, bitsAllocated: 8 }), { tag: 0x00200013, vr: 'IS', value: String(instance) }, pixelData8([instance, 0, 0, 0])],
    });
    await mkdir(join(root, 'train/normal/series1'), { recursive: true });
    for (const instance of [1, 2]) await writeFile(join(root, `train/normal/series1/${instance}.dcm`), slice(instance));
    await symlink('..', join(root, 'train/normal/series1/up'));
    const dataset = await dicomDataset.create({ root }, contextAt('/'));
    expect(dataset.items).toHaveLength(2);
    expect(dataset.skipped).toEqual([{ source: join(root, 'train/normal/series1/up'), reason: `symbolic link loop: leads back to ${join(root, 'train/normal')}, which is read once` }]);
  });

  it('a manifest naming data/./x.png beside data/x.png, or a link to it, lists the file once and reports the duplicates', async () => {
    const folder = await temporaryFolder();
    await writeGrayPng(join(folder, 'data/x.png'), 5);
    await writeGrayPng(join(folder, 'data/y.png'), 6);
    await symlink('x.png', join(folder, 'data/x-link.png'));
    const manifest = join(folder, 'manifest.csv');
    await writeText(manifest, 'path,label,split\ndata/x.png,a,train\ndata/./x.png,a,train\ndata/x-link.png,a,train\ndata/y.png,b,test\n');
    await expect(csvManifestDataset.create({ manifest }, contextAt('/'))).rejects.toThrow(/2 bad items .*first: .*manifest\.csv:3: the same file as line 2/);
    const dataset = await csvManifestDataset.create({ manifest, onBadItem: 'skip' }, contextAt('/'));
    expect(dataset.items.map((item) => item.id)).toEqual(['data/x.png', 'data/y.png']);
    expect(dataset.skipped).toEqual([
      { source: join(folder, 'data/x.png'), reason: `${manifest}:3: the same file as line 2 (${join(folder, 'data/x.png')}), listed once` },
      { source: join(folder, 'data/x-link.png'), reason: `${manifest}:4: the same file as line 2 (${join(folder, 'data/x.png')}), listed once` },
    ]);
  });
});

describe('file names are bytes: any name is read, and shown escaped', () => {
  it('reads a PNG whose name is Latin-1 (0xe9, not UTF-8), shown with the byte escaped', async () => {
    const root = await imageFolder();
    const latin1 = Buffer.concat([Buffer.from(join(root, 'train/normal/caf')), Buffer.from([0xe9]), Buffer.from('.png')]);
    await writeFile(latin1, await readFile(join(root, 'train/normal/n1.png')));
    const dataset = await imageFolderDataset.create({ root }, contextAt('/'));
    const item = dataset.items.find((candidate) => candidate.id === 'train/normal/caf\\xe9.png')!;
    expect(item.source).toBe(join(root, 'train/normal/caf\\xe9.png'));
    expect(Array.from((await dataset.open(item)).data)).toEqual([0, 0, 0, 0]);
    expect(await dataset.contentKey(item)).toBe(await dataset.contentKey(dataset.items.find((candidate) => candidate.id === 'train/normal/n1.png')!));
    expect(dataset.skipped).toEqual([]);
  });

  it('escapes newlines and terminal escape codes in names, and still opens the file', async () => {
    const root = await imageFolder();
    const evil = join(root, 'train/normal/evil\n\u001b[2Jname.png');
    await writeGrayPng(evil, 77);
    await writeText(join(root, 'train/normal/note\r\u001b[31m.txt'), 'not an image');
    const dataset = await imageFolderDataset.create({ root }, contextAt('/'));
    const item = dataset.items.find((candidate) => candidate.id.startsWith('train/normal/evil'))!;
    expect(item).toMatchObject({ id: 'train/normal/evil\\n\\x1b[2Jname.png', source: join(root, 'train/normal/evil\\n\\x1b[2Jname.png') });
    expect(Array.from((await dataset.open(item)).data)).toEqual([77, 77, 77, 77]);
    expect(dataset.skipped).toEqual([{ source: join(root, 'train/normal/note\\r\\x1b[31m.txt'), reason: 'extension not in .png, .jpg, .jpeg' }]);
  });
});
