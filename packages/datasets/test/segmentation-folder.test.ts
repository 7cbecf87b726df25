import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { segmentationFolderDataset } from '../src/index.js';
import { contextAt, temporaryFolder, writeGrayPng, writeLabelPng, writeText } from './fixtures.js';

/** `images/<path>` (3×2 gray) with `masks/<path as .png>` holding `mask` (null: no mask file). */
async function folderPair(files: Array<[string, number[] | null]>, classes = '["background", "lung", "heart"]'): Promise<string> {
  const root = await temporaryFolder();
  for (const [path, mask] of files) {
    await writeGrayPng(join(root, 'images', path), 50, 3, 2);
    if (mask) await writeLabelPng(join(root, 'masks', path.replace(/\.\w+$/, '.png')), 3, mask);
  }
  await writeText(join(root, 'classes.json'), classes);
  return root;
}

describe('segmentation-folder: images/ + masks/', () => {
  it('pairs images with masks of the same relative path (.png), splits by split folders, slices of a subfolder form a volume', async () => {
    const root = await folderPair([
      ['train/case1/001.png', [0, 1, 1, 0, 2, 0]],
      ['train/case1/002.png', [0, 0, 1, 0, 0, 0]],
      ['train/single.png', [0, 0, 0, 0, 0, 2]],
      ['test/case2/001.png', [1, 0, 0, 0, 0, 0]],
    ]);
    await writeText(join(root, 'images', 'README.txt'), 'notes');
    const dataset = await segmentationFolderDataset.create({ root }, contextAt('/'));
    expect(dataset).toMatchObject({ task: 'segmentation', classes: ['background', 'lung', 'heart'], skipped: [] });
    expect(dataset.items).toEqual([
      { id: 'images/test/case2/001.png', split: 'test', volume: 'case2', source: join(root, 'images/test/case2/001.png') },
      { id: 'images/train/case1/001.png', split: 'train', volume: 'case1', source: join(root, 'images/train/case1/001.png') },
      { id: 'images/train/case1/002.png', split: 'train', volume: 'case1', source: join(root, 'images/train/case1/002.png') },
      { id: 'images/train/single.png', split: 'train', source: join(root, 'images/train/single.png') },
    ]);
    expect(Array.from((await dataset.openMask!(dataset.items[1])).data)).toEqual([0, 1, 1, 0, 2, 0]);
    expect(dataset.notes).toContain(`segmentation-folder: segmentation, classes from ${join(root, 'classes.json')}`);
  });

  it('carves splits by volume without split folders; a JPEG image takes the mask of its name with .png', async () => {
    const files: Array<[string, number[]]> = [];
    for (let scan = 0; scan < 10; scan++) for (let slice = 0; slice < 2; slice++) files.push([`scan${scan}/${slice}.png`, [0, 1, 0, 0, 0, 0]]);
    const root = await folderPair(files);
    const dataset = await segmentationFolderDataset.create({ root }, contextAt('/'));
    const splitsOf = new Map<string, Set<string>>();
    for (const item of dataset.items) splitsOf.set(item.volume!, (splitsOf.get(item.volume!) ?? new Set()).add(item.split));
    expect([...splitsOf.values()].every((splits) => splits.size === 1)).toBe(true);
    expect(dataset.notes).toContain('segmentation-folder: TRAIN 14 / VAL 2 / TEST 4');
    expect(dataset.notes.join('\n')).toMatch(/no split folders under images\/; carved volumes/);
  });

  it('refuses a mask value outside the class list as a bad item naming the mask and the value; reports images without masks and masks without images', async () => {
    const root = await folderPair([
      ['train/a.png', [0, 1, 0, 0, 0, 0]],
      ['train/b.png', [0, 0, 0, 9, 0, 0]],
      ['train/c.png', null],
      ['test/d.png', [0, 2, 0, 0, 0, 0]],
    ]);
    await writeLabelPng(join(root, 'masks', 'train', 'orphan.png'), 3, [0, 0, 0, 0, 0, 0]);
    const reason = `${join(root, 'masks/train/b.png')}: label value 9 at pixel (0, 1) is not one of the classes (0 background, 1 lung, 2 heart) of ${join(root, 'classes.json')}`;
    await expect(segmentationFolderDataset.create({ root }, contextAt('/'))).rejects.toThrow(`2 bad items (onBadItem is "fail"); first: ${join(root, 'images/train/c.png')}: no mask`);
    const dataset = await segmentationFolderDataset.create({ root, onBadItem: 'skip' }, contextAt('/'));
    expect(dataset.items.map((item) => item.id)).toEqual(['images/test/d.png', 'images/train/a.png']);
    expect(dataset.skipped).toEqual([
      { source: join(root, 'images/train/c.png'), reason: `no mask ${join(root, 'masks/train/c.png')}` },
      { source: join(root, 'images/train/b.png'), reason },
      { source: join(root, 'masks/train/orphan.png'), reason: `mask without an image in ${join(root, 'images')}` },
    ]);
  });

  it('names the root when images/ or masks/ is missing, and the classes it needs', async () => {
    const root = await temporaryFolder();
    await writeGrayPng(join(root, 'images', 'a.png'), 1);
    await expect(segmentationFolderDataset.create({ root }, contextAt('/'))).rejects.toThrow(`option "root": ${root} needs an images/ and a masks/ folder`);
    await writeLabelPng(join(root, 'masks', 'a.png'), 2, [0, 1, 0, 0]);
    await expect(segmentationFolderDataset.create({ root }, contextAt('/'))).rejects.toThrow(/a segmentation set needs its class names/);
    const dataset = await segmentationFolderDataset.create({ root, classes: { 0: 'background', 1: 'lung' } }, contextAt('/'));
    expect(dataset.items).toHaveLength(1);
  });
});
