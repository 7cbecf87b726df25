import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { montgomeryDataset, shenzhenDataset } from '../src/index.js';
import { contextAt, temporaryFolder, writeGrayPng, writeText } from './fixtures.js';

/** A 3×2 8-bit gray PNG with the given row-major pixels. */
async function writePixels(path: string, pixels: number[], width = 3, height = 2): Promise<void> {
  const png = new PNG({ width, height });
  pixels.forEach((value, pixel) => png.data.set([value, value, value, 255], pixel * 4));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, PNG.sync.write(png, { colorType: 0 }));
}

const name = (index: number) => `MCUCXR_${String(index).padStart(4, '0')}_${index % 2}.png`;

async function montgomeryFolder(count: number): Promise<string> {
  const root = await temporaryFolder();
  for (let index = 1; index <= count; index++) {
    await writeGrayPng(join(root, 'CXR_png', name(index)), index, 3, 2);
    await writePixels(join(root, 'ManualMask', 'leftMask', name(index)), [255, 0, 0, 255, 0, 0]);
    await writePixels(join(root, 'ManualMask', 'rightMask', name(index)), [0, 0, 255, 0, 0, 255]);
  }
  await writeText(join(root, 'CXR_png', 'Thumbs.db'), 'x');
  return root;
}

describe('montgomery', () => {
  it('sorted images: TEST every 3rd, VAL every 4th of the rest, TRAIN the rest; left/right lung label map', async () => {
    const root = await montgomeryFolder(12);
    const dataset = await montgomeryDataset.create({ root }, contextAt('/'));
    expect(dataset).toMatchObject({ task: 'segmentation', classes: ['background', 'left lung', 'right lung'] });
    // Positions 0, 3, 6, 9 → TEST; the rest (1, 2, 4, 5, 7, 8, 10, 11) at 0 and 4 → VAL: images 2 and 8 (1-based).
    expect(dataset.items.map((item) => item.split)).toEqual(['test', 'val', 'train', 'test', 'train', 'train', 'test', 'val', 'train', 'test', 'train', 'train']);
    expect(dataset.items[0].id).toBe('CXR_png/MCUCXR_0001_1.png');
    expect(dataset.notes).toEqual([
      'montgomery: 12 images with masks, sorted by name (the published set has 138); TEST every 3rd, VAL every 4th of the rest, TRAIN the rest',
      'montgomery: TRAIN 6 / VAL 2 / TEST 4',
    ]);
    expect(dataset.skipped).toEqual([{ source: join(root, 'CXR_png', 'Thumbs.db'), reason: 'not a .png image' }]);
    const mask = await dataset.openMask!(dataset.items[1]);
    expect(mask).toEqual({ width: 3, height: 2, data: new Uint8Array([1, 0, 2, 1, 0, 2]) });
    expect((await dataset.open(dataset.items[1])).data).toEqual(new Uint8Array(6).fill(2));
  });

  it('the published 138 images give TRAIN 69 / VAL 23 / TEST 46', async () => {
    const dataset = await montgomeryDataset.create({ root: await montgomeryFolder(138) }, contextAt('/'));
    expect(dataset.notes[1]).toBe('montgomery: TRAIN 69 / VAL 23 / TEST 46');
  });

  it('a missing mask is a bad item; a mask of another size is an error naming it', async () => {
    const root = await montgomeryFolder(3);
    await writePixels(join(root, 'ManualMask', 'rightMask', name(2)), [0, 0, 0, 0], 2, 2);
    await writeGrayPng(join(root, 'CXR_png', 'MCUCXR_0099_0.png'), 1, 3, 2);
    await expect(montgomeryDataset.create({ root }, contextAt('/'))).rejects.toThrow(
      `dataset "montgomery": 1 bad item (onBadItem is "fail"); first: ${join(root, 'CXR_png', 'MCUCXR_0099_0.png')}: mask not found: ${join(root, 'ManualMask', 'leftMask', 'MCUCXR_0099_0.png')}`,
    );
    const dataset = await montgomeryDataset.create({ root, onBadItem: 'skip' }, contextAt('/'));
    expect(dataset.items).toHaveLength(3);
    await expect(dataset.openMask!(dataset.items[1])).rejects.toThrow(
      `${join(root, 'ManualMask', 'rightMask', name(2))}: mask is 2×2 but its image ${join(root, 'CXR_png', name(2))} is 3×2`,
    );
  });
});

describe('shenzhen', () => {
  it('only images with a mask, TEST every 5th, VAL every 5th of the rest; 255 = lung', async () => {
    const root = await temporaryFolder();
    for (let index = 1; index <= 13; index++) {
      const image = `CHNCXR_${String(index).padStart(4, '0')}_0.png`;
      await writeGrayPng(join(root, 'CXR_png', image), 9, 3, 2);
      if (index !== 4) await writePixels(join(root, 'masks', image.replace('.png', '_mask.png')), [0, 255, 255, 0, 255, 0]);
    }
    const dataset = await shenzhenDataset.create({ root }, contextAt('/'));
    expect(dataset.classes).toEqual(['background', 'lung']);
    expect(dataset.skipped).toEqual([{ source: join(root, 'CXR_png', 'CHNCXR_0004_0.png'), reason: `no mask (${join(root, 'masks', 'CHNCXR_0004_0_mask.png')})` }]);
    // 12 images: positions 0, 5, 10 → TEST; the rest (9 images) at 0 and 5 → VAL: positions 1 and 7.
    expect(dataset.items.map((item) => item.split)).toEqual(['test', 'val', 'train', 'train', 'train', 'test', 'train', 'val', 'train', 'train', 'test', 'train']);
    expect(dataset.notes[1]).toBe('shenzhen: TRAIN 7 / VAL 2 / TEST 3');
    expect((await dataset.openMask!(dataset.items[0])).data).toEqual(new Uint8Array([0, 1, 1, 0, 1, 0]));
  });
});
