import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNifti } from '@radprobe/datasets';
import { encodeGrayPng } from '@radprobe/testkit';
// The datasets package's own writers of DICOM and npz test files: the same fixtures its readers are tested on.
import { imageElements, pixelData16, writeDicom, type TestElement } from '../../datasets/test/dicom-writer.js';
import { writeNpz } from '../../datasets/test/npy-fixtures.js';
import { inspectData } from '../src/commands/data-inspect.js';
import type { FileImageReport } from '../src/commands/inspect-file.js';
import { runCli, temporaryDir } from './helpers.js';

/** A CT-like volume 6 × 5 × 4 of int16 stored values i + 10j + 100k, in HU after intercept −1024; LPS, 0.7 × 0.7 × 2.5 mm. */
async function writeVolume(file: string): Promise<void> {
  const values = new Int16Array(6 * 5 * 4);
  for (let k = 0; k < 4; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 6; i++) values[i + 6 * (j + 5 * k)] = i + 10 * j + 100 * k;
  await writeNifti(file, {
    dims: [6, 5, 4],
    datatype: 'int16',
    values,
    pixdim: [1, 0.7, 0.7, 2.5],
    xyztUnits: 2,
    slope: 1,
    intercept: -1024,
    sform: { code: 1, rows: [[-0.7, 0, 0, 0], [0, -0.7, 0, 0], [0, 0, 2.5, 0]] },
  });
}

/** One axial slice of a CT series: 2 × 2 signed 16-bit, HU = stored − 1024, a soft-tissue window in the header. */
async function writeSlice(file: string, z: number, instance: number, stored: number[]): Promise<void> {
  const elements: TestElement[] = [
    ...imageElements({ rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 16, signed: true }),
    { tag: 0x0020000e, vr: 'UI', value: '1.2.3' },
    { tag: 0x00200013, vr: 'IS', value: String(instance) },
    { tag: 0x00200032, vr: 'DS', value: `0\\0\\${z}` },
    { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' },
    { tag: 0x00280030, vr: 'DS', value: '0.5\\0.6' },
    { tag: 0x00281050, vr: 'DS', value: '40' },
    { tag: 0x00281051, vr: 'DS', value: '400' },
    { tag: 0x00281052, vr: 'DS', value: '-1024' },
    { tag: 0x00281053, vr: 'DS', value: '1' },
    pixelData16(stored),
  ];
  await writeFile(file, writeDicom({ encoding: 'explicit', elements }));
}

describe('radprobe data inspect FILE', () => {
  it('a NIfTI volume: dims, spacing, orientation, data type, HU range, and each volume kind\'s slicing after its intensity step', async () => {
    const dir = await temporaryDir('inspect-nifti');
    const file = join(dir, 'ct.nii.gz');
    await writeVolume(file);
    const report = await inspectData(file);
    expect(report.source).toBe('file');
    const [volume] = report.file!.images;
    expect(volume).toMatchObject({ dims: [6, 5, 4], dimNames: ['i', 'j', 'k'], orientation: 'LPS', dataType: 'int16 (stored; value = stored × 1 - 1024)' });
    expect(volume.spacing!.map((mm) => Number(mm.toFixed(3)))).toEqual([0.7, 0.7, 2.5]);
    expect(volume.intensity).toMatchObject({ min: -1024, max: 5 + 40 + 300 - 1024, values: 120 });
    // The CT kinds window to the study's [-1024, 600] HU; the middle slice (k = 2) holds 200..245 stored.
    const ct = volume.slicing.find((slicing) => slicing.kinds.includes('btcv'))!;
    expect(ct).toMatchObject({ kinds: expect.arrayContaining(['amos', 'btcv']), axis: 2, orientation: 'file', slices: 4, sliceSize: { width: 5, height: 6 }, step: 'window[-1024,600];clip:none' });
    expect(ct.middleSlice).toEqual({ min: 200 - 1024, max: 245 - 1024, range: { min: -1024, max: 600 } });
    expect(volume.slicing.find((slicing) => slicing.kinds.includes('msd'))!.step).toBe('window:none;clip-clamp[p5,p95]');

    const cli = await runCli(['data', 'inspect', file], { cwd: dir });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(`${file} (nifti)\n  data type    int16 (stored; value = stored × 1 - 1024)\n  dims         6 × 5 × 4 (i, j, k)\n  spacing      0.7 × 0.7 × 2.5 mm\n  orientation  LPS\n`);
    expect(cli.stdout).toMatch(/^ {2}intensity {4}min -1024, max -679; p1 -\d+, p5 -\d+, p50 -\d+(\.\d+)?, p95 -\d+(\.\d+)?, p99 -\d+(\.\d+)?$/m);
    expect(cli.stdout).toMatch(/^ {2}slicing {6}amos, btcv: axis 2 of the stored grid: 4 slices of 5 × 6; intensity step window\[-1024,600\];clip:none: middle slice -824\.\.-779 \(range -1024\.\.600\)$/m);
    const json = await runCli(['data', 'inspect', file, '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout).file.images[0].dims).toEqual([6, 5, 4]);
  });

  it('a DICOM series folder and one of its files: ordered slices, spacing, LPS axes, HU, and the header window the dicom kind applies', async () => {
    const dir = await temporaryDir('inspect-dicom');
    const series = join(dir, 'series');
    await mkdir(series);
    // File names out of anatomical order: z = 5, −5, 0.
    await writeSlice(join(series, 'a.dcm'), 5, 3, [1100, 1110, 1120, 1130]);
    await writeSlice(join(series, 'b.dcm'), -5, 1, [900, 910, 920, 930]);
    await writeSlice(join(series, 'c.dcm'), 0, 2, [1000, 1010, 1020, 1030]);
    const report = await inspectData(series);
    expect(report.file!.format).toBe('dicom-series');
    const [stack] = report.file!.images as FileImageReport[];
    expect(stack).toMatchObject({ dims: [2, 2, 3], dimNames: ['columns', 'rows', 'slices'], spacing: [0.6, 0.5, 5], orientation: 'LPS' });
    expect(stack.dataType).toBe('int16 (16 bits stored, MONOCHROME2; value = stored × 1 - 1024)');
    expect(stack.intensity).toMatchObject({ min: 900 - 1024, max: 1130 - 1024 });
    // The middle slice in anatomical order is z = 0 (c.dcm): HU -24..6 inside the window [-160, 240].
    expect(stack.slicing).toEqual([
      { kinds: ['dicom'], axis: null, orientation: null, slices: 3, sliceSize: { width: 2, height: 2 }, step: 'header window (center 40, width 400)', middleSlice: { min: -24, max: 6, range: { min: -160, max: 240 } } },
    ]);
    expect(stack.notes).toContain('3 files, ordered by Image Position along the slice normal');

    const single = await inspectData(join(series, 'b.dcm'));
    expect(single.file!.format).toBe('dicom');
    expect(single.file!.images[0]).toMatchObject({ dims: [2, 2, 1], dimNames: ['columns', 'rows', 'frames'], spacing: [0.6, 0.5], orientation: 'LP' });
  });

  it('a PNG: size, bit depth and value range; a 2D image is one item', async () => {
    const dir = await temporaryDir('inspect-png');
    const file = join(dir, 'cxr.png');
    await writeFile(file, encodeGrayPng([0, 0.5, 1, 0.25, 0.75, 1], 3, 2, 16));
    const [image] = (await inspectData(file)).file!.images;
    expect(image).toMatchObject({ dims: [3, 2, 1], dimNames: ['width', 'height', 'channels'], dataType: 'uint16 (1 channel(s) stored)', slicing: [] });
    expect(image.intensity).toMatchObject({ min: 0, max: 65535 });
  });

  it('an npz: every array with its shape, dtype and range, and the MedMNIST dataset it is', async () => {
    const dir = await temporaryDir('inspect-npz');
    const file = join(dir, 'pneumoniamnist_64.npz');
    const u1 = (shape: number[], value: (index: number) => number) => ({ dtype: '|u1' as const, shape, values: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, index) => value(index)) });
    await writeNpz(file, {
      train_images: u1([3, 2, 2], (index) => index),
      train_labels: u1([3, 1], (index) => index % 2),
      val_images: u1([1, 2, 2], () => 7),
      val_labels: u1([1, 1], () => 1),
      test_images: u1([2, 2, 2], () => 200),
      test_labels: u1([2, 1], () => 0),
    });
    const report = await inspectData(file);
    expect(report.file!.images.find((image) => image.name.endsWith(':train_images'))).toMatchObject({ dataType: 'numpy |u1', dims: [3, 2, 2], intensity: { min: 0, max: 11 } });
    expect(report.datasets[0]).toMatchObject({ kind: 'medmnist', items: 6 });
  });
});
