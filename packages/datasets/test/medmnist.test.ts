import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_LIMITS } from '@radprobe/core';
import { medmnistDataset } from '../src/index.js';
import { parseNpy } from '../src/npy.js';
import { contextAt, temporaryFolder } from './fixtures.js';
import { writeNpz, type FixtureArray } from './npy-fixtures.js';

/** Written by numpy 2.x `np.save` (not by radprobe's fixture writer), base64. */
const NUMPY_I2 = // np.array([[1, -2, 3], [400, -500, 600]], dtype='<i2')
  'k05VTVBZAQB2AHsnZGVzY3InOiAnPGkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAP7/AwCQAQz+WAI=';
const NUMPY_FORTRAN_BIG_F4 = // np.asfortranarray(np.array([[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]], dtype='>f4'))
  'k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/wAAAQJAAAEAgAABAsAAAQGAAAEDQAAA=';
const NUMPY_I8 = // np.array([7, 8], dtype='<i8')
  'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoHAAAAAAAAAAgAAAAAAAAA';

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

describe('.npy parser', () => {
  it('reads numpy-written arrays: little-endian int16, big-endian Fortran-ordered float32 (reordered to C order), int64', () => {
    expect(parseNpy(fromBase64(NUMPY_I2), 'a.npy', DEFAULT_DECODE_LIMITS)).toMatchObject({ dtype: '<i2', shape: [2, 3] });
    expect([...parseNpy(fromBase64(NUMPY_I2), 'a.npy', DEFAULT_DECODE_LIMITS).data]).toEqual([1, -2, 3, 400, -500, 600]);
    const fortran = parseNpy(fromBase64(NUMPY_FORTRAN_BIG_F4), 'b.npy', DEFAULT_DECODE_LIMITS);
    expect(fortran.shape).toEqual([2, 3]);
    // Stored column by column (1.5, 4.5, 2.5, 5.5, 3.5, 6.5); C order reads row by row.
    expect([...fortran.data]).toEqual([1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
    expect([...parseNpy(fromBase64(NUMPY_I8), 'c.npy', DEFAULT_DECODE_LIMITS).data]).toEqual([7, 8]);
  });

  it('names the file and the problem when the bytes are not an array it reads', () => {
    expect(() => parseNpy(new Uint8Array(20), 'x.npy', DEFAULT_DECODE_LIMITS)).toThrow('x.npy: not a readable .npy array (no \\x93NUMPY signature)');
    const truncated = fromBase64(NUMPY_I2).subarray(0, 130);
    expect(() => parseNpy(truncated, 'x.npy', DEFAULT_DECODE_LIMITS)).toThrow('x.npy: not a readable .npy array (data ends at byte 130, 6 × 2 bytes expected after byte 128)');
    const complex = new TextDecoder('latin1').decode(fromBase64(NUMPY_I2)).replace("'<i2'", "'<c8'");
    expect(() => parseNpy(Uint8Array.from(complex, (char) => char.charCodeAt(0)), 'x.npy', DEFAULT_DECODE_LIMITS)).toThrow('dtype "<c8" is not a bool, integer or float type');
  });
});

const u1 = (shape: number[], values: (index: number) => number): FixtureArray => ({
  dtype: '|u1',
  shape,
  values: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, index) => values(index)),
});

async function pneumonia(folder: string): Promise<string> {
  const file = join(folder, 'pneumoniamnist_64.npz');
  // 3 / 1 / 2 samples of 2×2 gray images; sample s of split k has every pixel = 10·k + s.
  const images = (split: number, count: number) => u1([count, 2, 2], (index) => 10 * split + Math.floor(index / 4));
  await writeNpz(file, {
    train_images: images(0, 3),
    train_labels: u1([3, 1], (index) => index % 2),
    val_images: images(1, 1),
    val_labels: u1([1, 1], () => 1),
    test_images: images(2, 2),
    test_labels: u1([2, 1], () => 0),
  });
  return file;
}

describe('medmnist', () => {
  it('2D gray: official splits, binary labels and class names by file name, images by sample', async () => {
    const folder = await temporaryFolder();
    const file = await pneumonia(folder);
    const dataset = await medmnistDataset.create({ file: 'pneumoniamnist_64.npz' }, contextAt(folder));
    expect(dataset).toMatchObject({ name: 'medmnist', task: 'binary', classes: ['normal', 'pneumonia'], skipped: [] });
    expect(dataset.items.map(({ id, split, label }) => [id, split, label])).toEqual([
      ['train/0', 'train', 0], ['train/1', 'train', 1], ['train/2', 'train', 0], ['val/0', 'val', 1], ['test/0', 'test', 0], ['test/1', 'test', 0],
    ]);
    expect(dataset.items[4].source).toBe(`${file}#test_images[0]`);
    expect(dataset.notes).toEqual(['medmnist: pneumoniamnist (64), binary-class; official splits', 'medmnist: TRAIN 3 / VAL 1 / TEST 2']);
    const image = await dataset.open(dataset.items[5]);
    expect(image).toEqual({ width: 2, height: 2, channels: 1, data: new Float32Array([21, 21, 21, 21]), range: { min: 0, max: 255 } });
    expect(await dataset.contentKey(dataset.items[0])).not.toBe(await dataset.contentKey(dataset.items[1]));
  });

  it('2D RGB multi-class (stored, not deflated) and multi-label chestmnist with 14 outputs', async () => {
    const folder = await temporaryFolder();
    const split = (count: number) => ({ images: u1([count, 1, 2, 3], (index) => index), labels: u1([count, 1], (index) => index * 4) });
    const parts = { train: split(3), val: split(1), test: split(1) };
    await writeNpz(join(folder, 'pathmnist.npz'), Object.fromEntries(Object.entries(parts).flatMap(([name, { images, labels }]) => [[`${name}_images`, images], [`${name}_labels`, labels]])), false);
    const path = await medmnistDataset.create({ file: 'pathmnist.npz' }, contextAt(folder));
    expect(path.task).toBe('multiclass');
    expect(path.classes).toHaveLength(9);
    expect(path.items.filter((item) => item.split === 'train').map((item) => item.label)).toEqual([0, 4, 8]);
    // Sample 1 of train holds bytes 6..11 as [1, 2, 3] RGB pixels.
    expect(await path.open(path.items[1])).toMatchObject({ width: 2, height: 1, channels: 3, data: new Float32Array([6, 7, 8, 9, 10, 11]) });

    const hot = u1([2, 14], (index) => (index % 14 === Math.floor(index / 14) * 13 ? 1 : 0));
    const chest = { images: u1([2, 2, 2], () => 0), labels: hot };
    await writeNpz(join(folder, 'chestmnist_128.npz'), { train_images: chest.images, train_labels: chest.labels, val_images: chest.images, val_labels: chest.labels, test_images: chest.images, test_labels: chest.labels });
    const dataset = await medmnistDataset.create({ file: 'chestmnist_128.npz' }, contextAt(folder));
    expect(dataset.task).toBe('multilabel');
    expect(dataset.classes[13]).toBe('hernia');
    // Sample 0 has label 0 set, sample 1 label 13.
    expect(dataset.items[0].labels).toEqual([1, ...new Array(13).fill(0)]);
    expect(dataset.items[1].labels).toEqual([...new Array(13).fill(0), 1]);
  });

  it('3D: slices along the last axis are items of one volume, or only the middle slice', async () => {
    const folder = await temporaryFolder();
    // Volumes [N, 2, 2, 3]: element (n, r, c, k) = 100·n + 10·(2r + c) + k.
    const volumes = (count: number) => u1([count, 2, 2, 3], (index) => 100 * Math.floor(index / 12) + 10 * Math.floor((index % 12) / 3) + (index % 3));
    const labels = (count: number) => u1([count, 1], (index) => index);
    await writeNpz(join(folder, 'fracturemnist3d_64.npz'), { train_images: volumes(2), train_labels: labels(2), val_images: volumes(1), val_labels: labels(1), test_images: volumes(1), test_labels: labels(1) });
    const dataset = await medmnistDataset.create({ file: 'fracturemnist3d_64.npz' }, contextAt(folder));
    expect(dataset.classes).toEqual(['buckle rib fracture', 'nondisplaced rib fracture', 'displaced rib fracture']);
    expect(dataset.items.slice(0, 4).map(({ id, volume, label }) => [id, volume, label])).toEqual([
      ['train/0#0', 'train/0', 0], ['train/0#1', 'train/0', 0], ['train/0#2', 'train/0', 0], ['train/1#0', 'train/1', 1],
    ]);
    expect(dataset.items).toHaveLength(12);
    // Volume 1, slice 2: 100 + 10·p + 2 for pixels p = 0..3.
    expect((await dataset.open(dataset.items[5])).data).toEqual(new Float32Array([102, 112, 122, 132]));
    const middle = await medmnistDataset.create({ file: 'fracturemnist3d_64.npz', slices: 'middle' }, contextAt(folder));
    expect(middle.items.map((item) => item.id)).toEqual(['train/0#1', 'train/1#1', 'val/0#1', 'test/0#1']);
    expect(middle.notes[1]).toBe('medmnist: 3D samples are volumes; only the middle slice along the last axis is an item');
  });

  it('unknown archives get generic class names; missing arrays and bad labels are named', async () => {
    const folder = await temporaryFolder();
    const images = u1([2, 2, 2], () => 0);
    await writeNpz(join(folder, 'mine.npz'), { train_images: images, train_labels: u1([2, 1], (i) => i * 2), val_images: images, val_labels: u1([2, 1], () => 0), test_images: images, test_labels: u1([2, 1], () => 1) });
    const dataset = await medmnistDataset.create({ file: 'mine.npz' }, contextAt(folder));
    expect(dataset.classes).toEqual(['class 0', 'class 1', 'class 2']);
    expect(dataset.notes[0]).toBe('medmnist: mine.npz is not one of the 18 MedMNIST v2 datasets; class names are generic');

    await writeNpz(join(folder, 'pneumoniamnist.npz'), { train_images: images, train_labels: u1([2, 1], () => 2), val_images: images, val_labels: u1([2, 1], () => 0) });
    await expect(medmnistDataset.create({ file: 'pneumoniamnist.npz' }, contextAt(folder))).rejects.toThrow(`${join(folder, 'pneumoniamnist.npz')}: no test_images array`);
    await writeNpz(join(folder, 'pneumoniamnist.npz'), { train_images: images, train_labels: u1([2, 1], () => 2), val_images: images, val_labels: u1([2, 1], () => 0), test_images: images, test_labels: u1([2, 1], () => 0) });
    await expect(medmnistDataset.create({ file: 'pneumoniamnist.npz' }, contextAt(folder))).rejects.toThrow(`${join(folder, 'pneumoniamnist.npz')}: train_labels[0]: label 2 is not a class index below 2`);
    await writeFile(join(folder, 'broken.npz'), 'not a zip');
    await expect(medmnistDataset.create({ file: 'broken.npz' }, contextAt(folder))).rejects.toThrow(`${join(folder, 'broken.npz')}: not a readable .npz archive`);
  });
});
