import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readNiftiFile, voxelValues, writeNifti } from '@radprobe/datasets';
import { encodeGrayPng, fetchMricronData, writeImageFolderDataset, writeNihDataset } from '@radprobe/testkit';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { guessLayout, inspectData } from '../src/commands/data-inspect.js';
import { runCli, temporaryDir } from './helpers.js';

describe('radprobe data inspect', () => {
  it('a folder: guesses the NIH layout, counts splits, patients and findings, reads sizes from PNG headers only', async () => {
    const root = await temporaryDir('inspect-nih');
    await writeNihDataset(root, { patients: 8, imagesPerPatient: [2, 3], seed: 3, size: 40 });
    const report = await inspectData(root);
    expect(report.source).toBe('folder');
    const [dataset] = report.datasets;
    expect(dataset).toMatchObject({ kind: 'nih-chestxray14', task: 'multilabel', volumes: 0, slices: 0, skipped: [] });
    const splitItems = dataset.splits.train.items + dataset.splits.val.items + dataset.splits.test.items;
    expect(splitItems).toBe(dataset.items);
    expect(dataset.patients).toBe(8);
    // Every image is a 40×40 8-bit gray PNG: one size, all of it from headers.
    expect(dataset.imageSizes).toEqual([{ width: 40, height: 40, channels: 1, bitDepth: 8, count: dataset.items, from: 'header' }]);
    expect(dataset.headersRead).toBe(dataset.items);
    expect(dataset.intensity).toMatchObject({ decoded: 8, nominal: [{ min: 0, max: 255 }] });
    expect(dataset.intensity!.min).toBeGreaterThanOrEqual(0);
    expect(dataset.intensity!.max).toBeLessThanOrEqual(255);
  });

  it('a config: loads each dataset entry through the plugin registry, with skipped files and reasons', async () => {
    const dir = await temporaryDir('inspect-config');
    await writeImageFolderDataset(join(dir, 'data'), { classes: ['a', 'b'], perClass: { train: 3, val: 1, test: 2 }, size: 24, seed: 1 });
    await writeFile(join(dir, 'data', 'train', 'a', 'notes.txt'), 'not an image');
    const config = join(dir, 'radprobe.json');
    await writeFile(config, JSON.stringify({ backbones: [{ kind: 'onnx', model: 'model.onnx' }], datasets: [{ kind: 'image-folder', name: 'mine', root: 'data' }], protocols: [{ kind: 'knn' }] }));
    const report = await inspectData(config);
    expect(report.source).toBe('config');
    const [dataset] = report.datasets;
    expect(dataset).toMatchObject({ name: 'mine', kind: 'image-folder', task: 'multiclass', classes: ['a', 'b'], items: 12 });
    expect(dataset.splits).toEqual({
      train: { items: 6, patients: 0, volumes: 0, perClass: { a: 3, b: 3 } },
      val: { items: 2, patients: 0, volumes: 0, perClass: { a: 1, b: 1 } },
      test: { items: 4, patients: 0, volumes: 0, perClass: { a: 2, b: 2 } },
    });
    expect(dataset.skipped).toEqual([{ source: join(dir, 'data', 'train', 'a', 'notes.txt'), reason: 'extension not in .png, .jpg, .jpeg' }]);

    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      expect(await main(['data', 'inspect', config])).toBe(0);
      expect(await main(['data', 'inspect', config, '--json'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const text = written[0];
    expect(text).toContain('dataset mine (image-folder): multiclass, 12 items, 2 classes');
    expect(text).toContain(['  split  items  patients  volumes  a  b', '  train  6      0         0        3  3', '  val    2      0         0        1  1'].join('\n'));
    expect(text).toContain('size 24×24, 1 channel(s), 8-bit: 12 (from file headers)');
    expect(text).toContain(`${join(dir, 'data', 'train', 'a', 'notes.txt')}: extension not in .png, .jpg, .jpeg`);
    expect(JSON.parse(written[1]).datasets[0].splits.test.items).toBe(4);
  });

  it('guesses the published layouts from their files and folders, and says what it looked for otherwise', async () => {
    const root = await temporaryDir('inspect-guess');
    const layout = async (name: string, folders: string[], files: string[]) => {
      const path = join(root, name);
      for (const folder of folders) await mkdir(join(path, folder), { recursive: true });
      await mkdir(path, { recursive: true });
      for (const file of files) await writeFile(join(path, file), '');
      return guessLayout(path, true);
    };
    expect((await layout('mc', ['CXR_png', 'ManualMask/leftMask'], [])).kind).toBe('montgomery');
    expect((await layout('chn', ['CXR_png', 'masks'], [])).kind).toBe('shenzhen');
    expect((await layout('sars', ['Covid', 'Healthy', 'Others'], [])).kind).toBe('sars-cov-2-ct');
    expect((await layout('chexpert', ['train'], ['train.csv', 'valid.csv'])).kind).toBe('chexpert');
    expect((await layout('msd', ['imagesTr', 'labelsTr'], ['dataset.json'])).kind).toBe('msd');
    expect((await layout('amos', ['imagesTr', 'imagesVa'], ['dataset.json'])).kind).toBe('amos');
    expect((await layout('btcv', ['imagesTr', 'labelsTr'], [])).kind).toBe('btcv');
    expect(await layout('med', [], ['bloodmnist_64.npz'])).toEqual({ kind: 'medmnist', options: { file: join(root, 'med', 'bloodmnist_64.npz') } });
    expect((await layout('figshare', ['brainTumorDataPublic_1-766'], ['brainTumorDataPublic_1-766/1.mat'])).kind).toBe('brain-tumor-mri');
    expect((await layout('series', [], ['IM0001.dcm'])).kind).toBe('dicom');
    expect((await layout('dicom-splits', ['test/a/series1'], ['test/a/series1/IM0001.dcm'])).kind).toBe('dicom');
    expect((await layout('folders', ['train/a', 'test/a'], [])).kind).toBe('image-folder');
    expect((await layout('pairs', ['images/train', 'masks/train'], [])).kind).toBe('segmentation-folder');
    await expect(layout('empty', [], ['readme.md'])).rejects.toThrow(`radprobe data inspect: cannot tell the layout of ${join(root, 'empty')}: expected Data_Entry_2017.csv (NIH)`);
  });

  it('a folder with two link loops: ends, counts every image once, and prints names with escape codes escaped', { timeout: 60_000 }, async () => {
    const root = await temporaryDir('inspect-hostile');
    await writeImageFolderDataset(root, { classes: ['a', 'b'], perClass: { train: 2, val: 1, test: 1 }, size: 16, seed: 2 });
    await symlink('.', join(root, 'train', 'a', 'loop'));
    await symlink('..', join(root, 'train', 'a', 'up'));
    await writeFile(join(root, 'train', 'a', 'evil\u001b[2J\nname.txt'), 'not an image');
    const inspected = await runCli(['data', 'inspect', root], { cwd: root });
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.stdout).toContain('  train  4      0         0        2  2');
    expect(inspected.stdout).toContain(`    ${join(root, 'train', 'a', 'evil\\x1b[2J\\nname.txt')}: extension not in .png, .jpg, .jpeg`);
    expect(inspected.stdout).toContain(`    ${join(root, 'train', 'a', 'loop')}: symbolic link loop: leads back to ${join(root, 'train', 'a')}, which is read once`);
    expect(inspected.stdout).toContain(`    ${join(root, 'train', 'a', 'up')}: symbolic link loop: leads back to ${join(root, 'train')}, which is read once`);
    expect(inspected.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    const missing = await runCli(['data', 'inspect', join(root, 'gone\u001b[31m')], { cwd: root });
    expect(missing.stderr).toBe(`radprobe: radprobe data inspect: ${join(root, 'gone\\x1b[31m')} does not exist\n`);
  });

  it('a segmentation set: pixels of each class per split, from every label map; a mask value outside the classes is listed', async () => {
    const root = await temporaryDir('inspect-seg');
    // 2×2 images; masks: train a [0, 1, 1, 2], train b [0, 0, 0, 1], test c [2, 2, 0, 0], test d holds 7 (not a class).
    const masks: Record<string, number[]> = { 'train/a': [0, 1, 1, 2], 'train/b': [0, 0, 0, 1], 'test/c': [2, 2, 0, 0], 'test/d': [0, 7, 0, 0] };
    for (const [name, values] of Object.entries(masks)) {
      await mkdir(join(root, 'images', name.split('/')[0]), { recursive: true });
      await mkdir(join(root, 'masks', name.split('/')[0]), { recursive: true });
      await writeFile(join(root, 'images', `${name}.png`), grayPng(2, [9, 9, 9, 9]));
      await writeFile(join(root, 'masks', `${name}.png`), grayPng(2, values));
    }
    await writeFile(join(root, 'classes.json'), '["background", "lung", "heart"]');
    const [dataset] = (await inspectData(root)).datasets;
    expect(dataset).toMatchObject({ kind: 'segmentation-folder', task: 'segmentation', items: 3 });
    expect(Object.fromEntries(Object.entries(dataset.splits).map(([split, report]) => [split, report.pixelsPerClass]))).toEqual({
      train: { background: 4, lung: 3, heart: 1 },
      val: { background: 0, lung: 0, heart: 0 },
      test: { background: 2, lung: 0, heart: 2 },
    });
    expect(dataset.skipped).toEqual([
      { source: join(root, 'images/test/d.png'), reason: `${join(root, 'masks/test/d.png')}: label value 7 at pixel (1, 0) is not one of the classes (0 background, 1 lung, 2 heart) of ${join(root, 'classes.json')}` },
    ]);
    const inspected = await runCli(['data', 'inspect', root], { cwd: root });
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.stdout).toContain(['  pixels per class  train  val  test', '  background        4      0    2', '  lung              3      0    0', '  heart             1      0    2'].join('\n'));
  });

  it('a volume set: pixels per class per split; the AAL atlas under the BTCV layout is refused naming the file and a value (issue 13)', { timeout: 600_000 }, async () => {
    const root = await temporaryDir('inspect-btcv');
    const dims: [number, number, number] = [2, 2, 2];
    for (const volume of [1, 2]) {
      const name = String(volume).padStart(4, '0');
      await writeNifti(join(root, 'imagesTr', `img${name}.nii.gz`), { datatype: 'int16', dims, values: voxelValues(dims, () => 10) });
      // Volume 1 (TRAIN): spleen (1) on 3 voxels; volume 2 (TEST): liver (6) on 1 voxel.
      const label = voxelValues(dims, (i, j, k) => (volume === 1 ? (i + j + k === 1 ? 1 : 0) : i + j + k === 3 ? 6 : 0));
      await writeNifti(join(root, 'labelsTr', `label${name}.nii.gz`), { datatype: 'uint8', dims, values: label });
    }
    const [btcv] = (await inspectData(root)).datasets;
    expect(btcv.kind).toBe('btcv');
    expect(btcv.splits.train.pixelsPerClass).toMatchObject({ background: 5, spleen: 3, liver: 0 });
    expect(btcv.splits.test.pixelsPerClass).toMatchObject({ background: 7, spleen: 0, liver: 1 });

    const templates = await fetchMricronData();
    const aalRoot = await temporaryDir('inspect-aal');
    await mkdir(join(aalRoot, 'imagesTr'), { recursive: true });
    await symlink(join(templates, 'ch2.nii.gz'), join(aalRoot, 'imagesTr', 'img0001.nii.gz'));
    // AAL as SPM ships it: region codes 2001 … 9170 (aal.nii.txt's third column).
    const aal = await readNiftiFile(join(templates, 'aal.nii.gz'));
    const codes = [0, ...(await readFile(join(templates, 'aal.nii.txt'), 'utf8')).split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => Number(line.split(/\s+/)[2]))];
    const label = join(aalRoot, 'labelsTr', 'label0001.nii.gz');
    const rows = aal.geometry.affine.slice(0, 3) as [number[], number[], number[]];
    await writeNifti(label, { datatype: 'int16', dims: aal.geometry.dims, values: Int16Array.from(aal.voxels, (value) => codes[value]), sform: { code: 4, rows } });
    await expect(inspectData(aalRoot)).rejects.toThrow(new RegExp(`${label}: label value \\d+ at voxel .* is not one of the 14 classes of btcv .*; the largest value is 9170`));
    const inspected = await runCli(['data', 'inspect', aalRoot], { cwd: aalRoot });
    expect(inspected.code).not.toBe(0);
    expect(inspected.stderr).toContain(`${label}: label value`);
  });
});

/** An 8-bit gray PNG storing `values` (row-major) as they are. */
function grayPng(width: number, values: number[]): Buffer {
  return encodeGrayPng(values.map((value) => value / 255), width, values.length / width, 8);
}
