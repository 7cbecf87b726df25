import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageFolderDataset } from '../src/index.js';
import { contextAt, temporaryFolder, writeGrayPng, writeText } from './fixtures.js';

const LAYOUT: Array<[string, number]> = [
  ['train/dog/b.png', 20],
  ['train/cat/a.png', 10],
  ['train/cat/nested/c.png', 30],
  ['valid/dog/d.png', 40],
  ['test/bird/e.png', 50],
  ['test/cat/f.jpg', 60],
];

async function buildLayout(files: Array<[string, number]>): Promise<string> {
  const root = await temporaryFolder();
  for (const [path, value] of files) await writeGrayPng(join(root, path), value);
  return root;
}

describe('image-folder', () => {
  it('reads <split>/<class>/<file>: valid means val, classes are the sorted union, items sorted by path', async () => {
    const root = await buildLayout(LAYOUT.filter(([path]) => path.endsWith('.png')));
    await writeText(join(root, 'train/cat/readme.txt'), 'not an image');
    await writeText(join(root, 'train/cat/.DS_Store'), '');
    await writeText(join(root, 'extras/x.png'), '');
    const dataset = await imageFolderDataset.create({ root: '.' }, contextAt(root));
    expect(dataset).toMatchObject({ name: 'image-folder', task: 'multiclass', classes: ['bird', 'cat', 'dog'] });
    expect(dataset.items.map(({ id, split, label }) => [id, split, label])).toEqual([
      ['test/bird/e.png', 'test', 0],
      ['train/cat/a.png', 'train', 1],
      ['train/cat/nested/c.png', 'train', 1],
      ['train/dog/b.png', 'train', 2],
      ['valid/dog/d.png', 'val', 2],
    ]);
    expect(dataset.skipped).toEqual([{ source: join(root, 'train/cat/readme.txt'), reason: 'extension not in .png, .jpg, .jpeg' }]);
    expect(dataset.notes).toContain('image-folder: ignored folder "extras" (not a split name: train, val, valid, validation, test)');
    expect(dataset.notes).toContain('image-folder: TRAIN 3 / VAL 1 / TEST 1');
  });

  it('opens items through decodeImage and keys them by the sha256 of their bytes', async () => {
    const root = await buildLayout(LAYOUT.slice(0, 2));
    const dataset = await imageFolderDataset.create({ root, name: 'pets' }, contextAt('/'));
    const item = dataset.items.find((entry) => entry.id === 'train/dog/b.png')!;
    const image = await dataset.open(item);
    expect(image).toMatchObject({ width: 2, height: 2, channels: 1 });
    expect(Array.from(image.data)).toEqual([20, 20, 20, 20]);
    const bytes = await readFile(join(root, 'train/dog/b.png'));
    expect(await dataset.contentKey(item)).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(dataset.name).toBe('pets');
  });

  it('lists the same items whatever order the files were created in', async () => {
    const forward = await imageFolderDataset.create({ root: await buildLayout(LAYOUT) }, contextAt('/'));
    const backward = await imageFolderDataset.create({ root: await buildLayout([...LAYOUT].reverse()) }, contextAt('/'));
    const strip = (items: typeof forward.items) => items.map(({ id, split, label }) => ({ id, split, label }));
    expect(strip(backward.items)).toEqual(strip(forward.items));
    expect(backward.classes).toEqual(forward.classes);
  });

  it('honours the extensions option (case-insensitive, dot optional)', async () => {
    const root = await buildLayout(LAYOUT);
    const dataset = await imageFolderDataset.create({ root, extensions: ['JPG'] }, contextAt('/'));
    expect(dataset.items.map((item) => item.id)).toEqual(['test/cat/f.jpg']);
  });

  it('makes a binary task of one positive class against the rest', async () => {
    const twoClasses = await imageFolderDataset.create({ root: await buildLayout(LAYOUT.slice(0, 3)), task: 'binary', positive: 'dog' }, contextAt('/'));
    expect(twoClasses).toMatchObject({ task: 'binary', classes: ['cat', 'dog'] });
    expect(twoClasses.items.map((item) => item.label)).toEqual([0, 0, 1]);
    const many = await imageFolderDataset.create({ root: await buildLayout(LAYOUT), task: 'binary', positive: 'cat' }, contextAt('/'));
    expect(many.classes).toEqual(['not cat', 'cat']);
    expect(many.items.map((item) => item.label)).toEqual([0, 1, 1, 1, 0, 0]);
    await expect(imageFolderDataset.create({ root: await buildLayout(LAYOUT), task: 'binary', positive: 'cow' }, contextAt('/'))).rejects.toThrow(
      /option "positive": class "cow" is not one of the classes \(bird, cat, dog\)/,
    );
  });

  it('names the path and the option when the root is missing', async () => {
    const base = await temporaryFolder();
    await expect(imageFolderDataset.create({ root: 'nowhere' }, contextAt(base))).rejects.toThrow(`option "root": directory not found: ${join(base, 'nowhere')}`);
  });

  it('refuses two folders for one split, and a root without split folders', async () => {
    const root = await buildLayout([['val/a/x.png', 1], ['validation/a/y.png', 2]]);
    await expect(imageFolderDataset.create({ root }, contextAt('/'))).rejects.toThrow(/folders "val" and "validation" both hold the val split/);
    const flat = await buildLayout([['cats/x.png', 1]]);
    await expect(imageFolderDataset.create({ root: flat }, contextAt('/'))).rejects.toThrow(/no split folders/);
  });
});
