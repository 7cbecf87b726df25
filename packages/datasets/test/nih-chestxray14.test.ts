import { rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NIH_FINDINGS, nihChestXray14Dataset } from '../src/index.js';
import { contextAt, temporaryFolder, writeGrayPng, writeText } from './fixtures.js';

/** Rows as the real Data_Entry_2017.csv writes them: 11 columns and a trailing comma. */
const HEADER = 'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],';
const ENTRIES: Array<[string, string, string]> = [
  ['00000001_000.png', 'Cardiomegaly', '1'],
  ['00000001_001.png', 'Cardiomegaly|Emphysema', '1'],
  ['00000002_000.png', 'No Finding', '2'],
  ['00000003_000.png', 'Hernia|Atelectasis', '3'],
  ['00000003_001.png', 'Effusion', '3'],
  ['00000004_000.png', 'Mass|Nodule', '4'],
  ['00000005_000.png', 'Pneumothorax', '5'],
  ['00000006_000.png', 'No Finding', '6'],
  ['00000007_000.png', 'Edema', '7'],
];
const TRAIN_VAL = ['00000001_000.png', '00000002_000.png', '00000003_000.png', '00000001_001.png', '00000003_001.png', '00000004_000.png'];
const TEST = ['00000005_000.png', '00000006_000.png'];

async function nihFolder(missing: string[] = []): Promise<string> {
  const root = await temporaryFolder();
  const rows = ENTRIES.map(([image, findings, patient]) => `${image},${findings},0,${patient},58,M,PA,2682,2749,0.143,0.143,`);
  await writeText(join(root, 'Data_Entry_2017.csv'), `${HEADER}\n${rows.join('\n')}\n`);
  await writeText(join(root, 'train_val_list.txt'), `${TRAIN_VAL.join('\n')}\n`);
  await writeText(join(root, 'test_list.txt'), `${TEST.join('\r\n')}\r\n`);
  for (const [index, [image]] of ENTRIES.entries()) {
    if (missing.includes(image)) continue;
    await writeGrayPng(join(root, index % 2 ? 'images_002/images' : 'images_001/images', image), index);
  }
  return root;
}

function hot(...findings: string[]): number[] {
  return NIH_FINDINGS.map((finding) => (findings.includes(finding) ? 1 : 0));
}

describe('nih-chestxray14', () => {
  it('splits by the official lists: TEST = test_list, VAL = last valSize of train_val_list, TRAIN = the rest', async () => {
    const root = await nihFolder();
    const dataset = await nihChestXray14Dataset.create({ root, valSize: 2 }, contextAt('/'));
    expect(dataset).toMatchObject({ name: 'nih-chestxray14', task: 'multilabel', classes: [...NIH_FINDINGS], skipped: [] });
    expect(dataset.items.map(({ id, split, patient }) => [id, split, patient])).toEqual([
      ['00000001_000.png', 'train', '1'],
      ['00000001_001.png', 'train', '1'],
      ['00000002_000.png', 'train', '2'],
      ['00000003_000.png', 'train', '3'],
      ['00000003_001.png', 'val', '3'],
      ['00000004_000.png', 'val', '4'],
      ['00000005_000.png', 'test', '5'],
      ['00000006_000.png', 'test', '6'],
    ]);
    expect(dataset.items[0].source).toBe(join(root, 'images_001/images/00000001_000.png'));
    expect(dataset.items[1].source).toBe(join(root, 'images_002/images/00000001_001.png'));
    expect(dataset.notes).toEqual([
      'nih-chestxray14: VAL = the last 2 of 6 entries of train_val_list.txt',
      'nih-chestxray14: 1 row(s) of ' + join(root, 'Data_Entry_2017.csv') + ' are in neither list and were left out',
      'nih-chestxray14: TRAIN and VAL share 1 patients (the official train_val_list is split by position, not by patient)',
      'nih-chestxray14: TRAIN 4 / VAL 2 / TEST 2',
    ]);
  });

  it('encodes findings as 14 outputs in the standard order, No Finding as all zeros (or a 15th output)', async () => {
    const root = await nihFolder();
    const dataset = await nihChestXray14Dataset.create({ root, valSize: 2 }, contextAt('/'));
    const labels = Object.fromEntries(dataset.items.map((item) => [item.id, item.labels]));
    expect(labels['00000001_001.png']).toEqual(hot('Cardiomegaly', 'Emphysema'));
    expect(labels['00000003_000.png']).toEqual(hot('Atelectasis', 'Hernia'));
    expect(labels['00000002_000.png']).toEqual(hot());
    expect(labels['00000003_000.png']).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

    const withNoFinding = await nihChestXray14Dataset.create({ root, valSize: 2, includeNoFinding: true }, contextAt('/'));
    expect(withNoFinding.classes).toEqual([...NIH_FINDINGS, 'No Finding']);
    const byId = Object.fromEntries(withNoFinding.items.map((item) => [item.id, item.labels]));
    expect(byId['00000002_000.png']).toEqual([...hot(), 1]);
    expect(byId['00000004_000.png']).toEqual([...hot('Mass', 'Nodule'), 0]);
  });

  it('states the VAL size it used when train_val_list is not longer than valSize', async () => {
    const dataset = await nihChestXray14Dataset.create({ root: await nihFolder() }, contextAt('/'));
    // round(6 · 10002 / 86524) = round(0.69) = 1: only the last entry is VAL.
    expect(dataset.items.filter((item) => item.split === 'val').map((item) => item.id)).toEqual(['00000004_000.png']);
    expect(dataset.notes[0]).toBe(
      'nih-chestxray14: train_val_list.txt has 6 entries, not more than valSize 10002; VAL = the last 1 (the official 10002/86524 share)',
    );
  });

  it('reports listed images missing on disk: skipped under skip, an error naming the first and the count under fail', async () => {
    const root = await nihFolder(['00000002_000.png', '00000006_000.png']);
    await expect(nihChestXray14Dataset.create({ root, valSize: 2 }, contextAt('/'))).rejects.toThrow(
      `dataset "nih-chestxray14": 2 bad items (onBadItem is "fail"); first: ${join(root, '00000002_000.png')}: listed for train but no such file under ${root}/images*/`,
    );
    const dataset = await nihChestXray14Dataset.create({ root, valSize: 2, onBadItem: 'skip' }, contextAt('/'));
    expect(dataset.skipped.map((item) => item.source)).toEqual([join(root, '00000002_000.png'), join(root, '00000006_000.png')]);
    expect(dataset.items).toHaveLength(6);
  });

  it('refuses a patient in both train_val and test lists', async () => {
    const root = await nihFolder();
    await writeText(join(root, 'test_list.txt'), '00000005_000.png\n00000001_001.png\n');
    await writeText(join(root, 'train_val_list.txt'), '00000001_000.png\n00000002_000.png\n');
    await expect(nihChestXray14Dataset.create({ root, valSize: 1 }, contextAt('/'))).rejects.toThrow(/patient "1" appears in splits train \(.*00000001_000\.png\) and test/);
  });

  it('names the missing files of the layout', async () => {
    const root = await temporaryFolder();
    await expect(nihChestXray14Dataset.create({ root }, contextAt('/'))).rejects.toThrow(`option "root": ${root} has no Data_Entry_2017.csv or Data_Entry_2017_v2020.csv`);
    await expect(nihChestXray14Dataset.create({ root: join(root, 'absent') }, contextAt('/'))).rejects.toThrow(`option "root": directory not found: ${join(root, 'absent')}`);
  });
});

describe('nih-chestxray14 list consistency', () => {
  it('refuses an image listed twice, naming the lists', async () => {
    const root = await nihFolder();
    await writeText(join(root, 'test_list.txt'), '00000005_000.png\n00000004_000.png\n');
    await expect(nihChestXray14Dataset.create({ root, valSize: 2 }, contextAt('/'))).rejects.toThrow(
      `${root}: 00000004_000.png is listed in both train_val_list.txt and test_list.txt`,
    );
  });

  it('finds images through symbolically linked images folders', async () => {
    const root = await nihFolder();
    const elsewhere = await temporaryFolder();
    await rename(join(root, 'images_002'), join(elsewhere, 'images_002'));
    await symlink(join(elsewhere, 'images_002'), join(root, 'images_002'));
    const dataset = await nihChestXray14Dataset.create({ root, valSize: 2 }, contextAt('/'));
    expect(dataset.items).toHaveLength(8);
    expect(dataset.items[1].source).toBe(join(root, 'images_002/images/00000001_001.png'));
  });
});
