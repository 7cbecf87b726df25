import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dicomDataset } from '../src/dicom-dataset.js';
import { imageFolderDataset } from '../src/image-folder.js';
import { contextAt, temporaryFolder, writeGrayPng } from './fixtures.js';
import { imageElements, pixelData8, writeDicom, type TestElement } from './dicom-writer.js';

interface SliceSpec {
  value: number;
  patient: string;
  series: string;
  instance?: number;
  /** z of Image Position (Patient); axial orientation. */
  z?: number;
  frames?: number;
  transferSyntax?: string;
}

async function writeSlice(path: string, spec: SliceSpec): Promise<void> {
  const frames = spec.frames ?? 1;
  const elements: TestElement[] = [
    ...imageElements({ rows: 2, columns: 2, bitsAllocated: 8, ...(frames > 1 ? { frames } : {}) }),
    { tag: 0x00100020, vr: 'LO', value: spec.patient },
    { tag: 0x0020000e, vr: 'UI', value: spec.series },
    pixelData8(Array.from({ length: 4 * frames }, (_, index) => spec.value + Math.floor(index / 4))),
  ];
  if (spec.instance !== undefined) elements.push({ tag: 0x00200013, vr: 'IS', value: String(spec.instance) });
  if (spec.z !== undefined) {
    elements.push({ tag: 0x00200032, vr: 'DS', value: `0\\0\\${spec.z}` }, { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' });
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, writeDicom({ encoding: 'explicit', elements, transferSyntax: spec.transferSyntax }));
}

async function buildLayout(): Promise<string> {
  const root = await temporaryFolder();
  await writeSlice(join(root, 'train/ct/single.dcm'), { value: 10, patient: 'P1', series: '1.1' });
  await writeSlice(join(root, 'train/ct/multi.dcm'), { value: 20, patient: 'P2', series: '1.2', frames: 3 });
  // Positions z = 5, -5, 0 in file-name order a, b, c: anatomical order is b, c, a.
  await writeSlice(join(root, 'test/normal/series-a/a.dcm'), { value: 30, patient: 'P3', series: '1.3', instance: 1, z: 5 });
  await writeSlice(join(root, 'test/normal/series-a/b.dcm'), { value: 31, patient: 'P3', series: '1.3', instance: 2, z: -5 });
  await writeSlice(join(root, 'test/normal/series-a/c.dcm'), { value: 32, patient: 'P3', series: '1.3', instance: 3, z: 0 });
  // No positions: Instance Number 2, 1 in file-name order.
  await writeSlice(join(root, 'test/normal/series-b/x.dcm'), { value: 40, patient: 'P4', series: '1.4', instance: 2 });
  await writeSlice(join(root, 'test/normal/series-b/y.dcm'), { value: 41, patient: 'P4', series: '1.4', instance: 1 });
  await writeSlice(join(root, 'test/normal/video.dcm'), { value: 1, patient: 'P5', series: '1.5', transferSyntax: '1.2.840.10008.1.2.4.102' });
  await mkdir(join(root, 'test/normal'), { recursive: true });
  await writeFile(join(root, 'test/normal/notes.txt'), 'not an image');
  return root;
}

describe('dicom dataset', () => {
  it('reads files, frames and series folders with their patients, volumes and anatomical order', async () => {
    const root = await buildLayout();
    const dataset = await dicomDataset.create({ root, onBadItem: 'skip' }, contextAt(root));
    expect(dataset.classes).toEqual(['ct', 'normal']);
    expect(dataset.items.map(({ id, split, label, patient, volume }) => ({ id, split, label, patient, volume }))).toEqual([
      { id: 'test/normal/series-a#slice-1', split: 'test', label: 1, patient: 'P3', volume: '1.3' },
      { id: 'test/normal/series-a#slice-2', split: 'test', label: 1, patient: 'P3', volume: '1.3' },
      { id: 'test/normal/series-a#slice-3', split: 'test', label: 1, patient: 'P3', volume: '1.3' },
      { id: 'test/normal/series-b#slice-1', split: 'test', label: 1, patient: 'P4', volume: '1.4' },
      { id: 'test/normal/series-b#slice-2', split: 'test', label: 1, patient: 'P4', volume: '1.4' },
      { id: 'train/ct/multi.dcm#frame-1', split: 'train', label: 0, patient: 'P2', volume: '1.2' },
      { id: 'train/ct/multi.dcm#frame-2', split: 'train', label: 0, patient: 'P2', volume: '1.2' },
      { id: 'train/ct/multi.dcm#frame-3', split: 'train', label: 0, patient: 'P2', volume: '1.2' },
      { id: 'train/ct/single.dcm', split: 'train', label: 0, patient: 'P1', volume: '1.1' },
    ]);
    // Pixel value = the slice's own value: series-a in z order b (31), c (32), a (30); series-b by instance: y, x.
    const firstPixels = await Promise.all(dataset.items.map(async (item) => (await dataset.open(item)).data[0]));
    expect(firstPixels).toEqual([31, 32, 30, 41, 40, 20, 21, 22, 10]);
    expect(dataset.items[0].source).toBe(join(root, 'test/normal/series-a/b.dcm'));
    expect(dataset.items[6].source).toBe(`${join(root, 'train/ct/multi.dcm')}#frame-2`);
    expect(dataset.skipped.map((skipped) => [skipped.source.slice(root.length + 1), skipped.reason])).toEqual([
      ['test/normal/notes.txt', 'not a DICOM file (no "DICM" at byte 128 and no data set at the start)'],
      ['test/normal/video.dcm', expect.stringMatching(/^unsupported DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.102 /)],
    ]);
    expect(dataset.notes).toContain('dicom: test/normal/series-b: slices ordered by Instance Number (Image Position / Orientation (Patient) missing)');
  });

  it('keys the cache by file content, frame and window', async () => {
    const root = await buildLayout();
    const header = await dicomDataset.create({ root, onBadItem: 'skip' }, contextAt(root));
    const lung = await dicomDataset.create({ root, onBadItem: 'skip', window: 'lung' }, contextAt(root));
    const frames = header.items.filter((item) => item.id.startsWith('train/ct/multi.dcm'));
    const keys = await Promise.all(frames.map((item) => header.contentKey(item)));
    expect(new Set(keys).size).toBe(3);
    expect(await header.contentKey(frames[0])).toBe(keys[0]);
    expect(await lung.contentKey(frames[0])).not.toBe(keys[0]);
    await writeSlice(join(root, 'train/ct/multi.dcm'), { value: 50, patient: 'P2', series: '1.2', frames: 3 });
    const rewritten = await dicomDataset.create({ root, onBadItem: 'skip' }, contextAt(root));
    expect(await rewritten.contentKey(frames[0])).not.toBe(keys[0]);
  });

  it('fails on a bad file under onBadItem "fail", and on a patient or a series in two splits', async () => {
    const root = await buildLayout();
    await expect(dicomDataset.create({ root }, contextAt(root))).rejects.toThrow(/2 bad items \(onBadItem is "fail"\); first: .*notes\.txt: not a DICOM file/);
    const leaky = await temporaryFolder();
    await writeSlice(join(leaky, 'train/a/one.dcm'), { value: 1, patient: 'P1', series: '1.1' });
    await writeSlice(join(leaky, 'test/a/two.dcm'), { value: 2, patient: 'P1', series: '1.2' });
    await expect(dicomDataset.create({ root: leaky }, contextAt(leaky))).rejects.toThrow(/patient "P1" appears in splits train .* and test/);
    const split = await temporaryFolder();
    await writeSlice(join(split, 'train/a/one.dcm'), { value: 1, patient: 'P1', series: '1.9' });
    await writeSlice(join(split, 'test/a/two.dcm'), { value: 2, patient: 'P2', series: '1.9' });
    await expect(dicomDataset.create({ root: split }, contextAt(split))).rejects.toThrow(/series "1\.9" appears in splits train .* and test .*; a volume must stay in one split/);
    await expect(dicomDataset.create({ root, window: { low: 1, high: 0 } }, contextAt(root))).rejects.toThrow(/\/window: window low 1 must be below high 0/);
  });

  it('lets image-folder read DICOM files beside PNGs, recognised by content', async () => {
    const root = await temporaryFolder();
    await writeSlice(join(root, 'train/a/scan.dcm'), { value: 77, patient: 'P1', series: '1.1' });
    await writeGrayPng(join(root, 'train/b/photo.png'), 9);
    await writeSlice(join(root, 'train/b/frames.dcm'), { value: 5, patient: 'P2', series: '1.2', frames: 2 });
    const dataset = await imageFolderDataset.create({ root, extensions: ['.dcm', '.png'] }, contextAt(root));
    const [scan, frames, photo] = dataset.items;
    expect((await dataset.open(scan)).data[0]).toBe(77);
    expect((await dataset.open(photo)).data[0]).toBe(9);
    await expect(dataset.open(frames)).rejects.toThrow(/frames\.dcm: multi-frame DICOM \(2 frames\) is several images; read it with the "dicom" dataset kind/);
  });
});
