import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvManifestDataset } from '../src/index.js';
import { contextAt, temporaryFolder, writeGrayPng, writeText } from './fixtures.js';

async function manifestFolder(csv: string, images: string[]): Promise<string> {
  const folder = await temporaryFolder();
  for (const [index, image] of images.entries()) await writeGrayPng(join(folder, image), index);
  await writeText(join(folder, 'data', 'manifest.csv'), csv);
  return folder;
}

describe('csv manifest', () => {
  it('reads path,label,patient,split with paths relative to the CSV, classes sorted, items sorted', async () => {
    const csv = 'path,label,patient,split\nimg/b.png,pneumonia,p2,train\nimg/a.png,normal,p1,valid\n"img/c, with comma.png",normal,p3,test\n';
    const folder = await manifestFolder(csv, ['data/img/a.png', 'data/img/b.png', 'data/img/c, with comma.png']);
    const dataset = await csvManifestDataset.create({ manifest: 'data/manifest.csv' }, contextAt(folder));
    expect(dataset).toMatchObject({ name: 'csv', task: 'multiclass', classes: ['normal', 'pneumonia'], skipped: [] });
    expect(dataset.items).toEqual([
      { id: 'img/a.png', split: 'val', label: 0, patient: 'p1', source: join(folder, 'data/img/a.png') },
      { id: 'img/b.png', split: 'train', label: 1, patient: 'p2', source: join(folder, 'data/img/b.png') },
      { id: 'img/c, with comma.png', split: 'test', label: 0, patient: 'p3', source: join(folder, 'data/img/c, with comma.png') },
    ]);
  });

  it('parses a|b labels as multi-hot vectors in the order of the classes option', async () => {
    const csv = 'path,label,split\na.png,effusion|mass,train\nb.png,,train\nc.png, mass ,test\n';
    const folder = await manifestFolder(csv, ['data/a.png', 'data/b.png', 'data/c.png']);
    const dataset = await csvManifestDataset.create({ manifest: join(folder, 'data/manifest.csv'), multiLabel: true, classes: ['mass', 'effusion', 'edema'] }, contextAt('/'));
    expect(dataset).toMatchObject({ task: 'multilabel', classes: ['mass', 'effusion', 'edema'] });
    expect(dataset.items.map((item) => item.labels)).toEqual([[1, 1, 0], [0, 0, 0], [1, 0, 0]]);
  });

  it('fails on a label outside the class list naming the file, the line and the value; skips it under skip', async () => {
    const csv = 'path,label,split\na.png,cat,train\nb.png,dog,train\nc.png,cow,test\n';
    const folder = await manifestFolder(csv, ['data/a.png', 'data/b.png', 'data/c.png']);
    const manifest = join(folder, 'data/manifest.csv');
    await expect(csvManifestDataset.create({ manifest, classes: ['cat', 'dog'] }, contextAt('/'))).rejects.toThrow(
      `dataset "csv": 1 bad item (onBadItem is "fail"); first: ${join(folder, 'data/c.png')}: ${manifest}:4: label "cow" is not in the class list (cat, dog)`,
    );
    const dataset = await csvManifestDataset.create({ manifest, classes: ['cat', 'dog'], onBadItem: 'skip' }, contextAt('/'));
    expect(dataset.items.map((item) => item.id)).toEqual(['a.png', 'b.png']);
    expect(dataset.skipped).toEqual([{ source: join(folder, 'data/c.png'), reason: `${manifest}:4: label "cow" is not in the class list (cat, dog)` }]);
  });

  it('reports listed files that are missing, bad split values, duplicate rows and short rows', async () => {
    const csv = 'path,label,split\na.png,cat,train\nghost.png,cat,train\nb.png,dog,holdout\na.png,dog,test\nc.png,dog\n';
    const folder = await manifestFolder(csv, ['data/a.png', 'data/b.png', 'data/c.png']);
    const manifest = join(folder, 'data/manifest.csv');
    await expect(csvManifestDataset.create({ manifest }, contextAt('/'))).rejects.toThrow(/4 bad items .*first: .*b\.png: .*manifest\.csv:4: split "holdout"/);
    const dataset = await csvManifestDataset.create({ manifest, onBadItem: 'skip' }, contextAt('/'));
    expect(dataset.items.map((item) => item.id)).toEqual(['a.png']);
    expect(dataset.skipped.map((item) => item.reason)).toEqual([
      `${manifest}:4: split "holdout" is not train, val (valid, validation) or test`,
      `${manifest}:5: listed again (first at line 2)`,
      `${manifest}:6: expected 3 columns, found 2`,
      `${manifest}:3: file not found`,
    ]);
  });

  it('refuses a patient found in two splits, naming the patient and both splits', async () => {
    const csv = 'path,label,patient,split\na.png,cat,p1,test\nb.png,dog,p2,train\nc.png,dog,p1,train\n';
    const folder = await manifestFolder(csv, ['data/a.png', 'data/b.png', 'data/c.png']);
    await expect(csvManifestDataset.create({ manifest: join(folder, 'data/manifest.csv') }, contextAt('/'))).rejects.toThrow(
      /patient "p1" appears in splits train \(.*c\.png\) and test \(.*a\.png\)/,
    );
  });

  it('carves patient-level splits without a split column, the same whatever the row order', async () => {
    const rows = Array.from({ length: 40 }, (_, index) => `img${String(index).padStart(2, '0')}.png,${index % 2 ? 'a' : 'b'},patient${index % 20}`);
    const folder = await manifestFolder(`path,label,patient\n${rows.join('\n')}\n`, rows.map((row) => `data/${row.split(',')[0]}`));
    const dataset = await csvManifestDataset.create({ manifest: join(folder, 'data/manifest.csv'), splitFractions: { val: 0.1, test: 0.25 } }, contextAt('/'));
    const splitOfPatient = new Map<string, Set<string>>();
    for (const item of dataset.items) splitOfPatient.set(item.patient!, (splitOfPatient.get(item.patient!) ?? new Set()).add(item.split));
    expect([...splitOfPatient.values()].every((splits) => splits.size === 1)).toBe(true);
    // 20 patients: round(0.25 · 20) = 5 to TEST, round(0.1 · 20) = 2 to VAL, 13 to TRAIN, 2 images each.
    const counts = { train: 0, val: 0, test: 0 };
    for (const item of dataset.items) counts[item.split]++;
    expect(counts).toEqual({ train: 26, val: 4, test: 10 });
    expect(dataset.notes[0]).toMatch(/no split column; carved patients: TEST 0.25, VAL 0.1/);

    await writeText(join(folder, 'data/manifest.csv'), `path,label,patient\n${[...rows].reverse().join('\n')}\n`);
    const reordered = await csvManifestDataset.create({ manifest: join(folder, 'data/manifest.csv'), splitFractions: { val: 0.1, test: 0.25 } }, contextAt('/'));
    expect(reordered.items).toEqual(dataset.items);
  });

  it('names the option and the path of a missing manifest, and a missing label column', async () => {
    const folder = await temporaryFolder();
    await expect(csvManifestDataset.create({ manifest: 'none.csv' }, contextAt(folder))).rejects.toThrow(`option "manifest": file not found: ${join(folder, 'none.csv')}`);
    await writeText(join(folder, 'm.csv'), 'path,class\na.png,x\n');
    await expect(csvManifestDataset.create({ manifest: 'm.csv' }, contextAt(folder))).rejects.toThrow(`${join(folder, 'm.csv')}: missing column "label" (header: path,class)`);
    await expect(csvManifestDataset.create({ manifest: 'm.csv', multiLabel: true, task: 'binary', positive: 'x' }, contextAt(folder))).rejects.toThrow(
      /option "task": "binary" needs single labels/,
    );
  });
});
