import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvManifestDataset } from '../src/index.js';
import { contextAt, temporaryFolder, writeGrayPng, writeLabelPng, writeText } from './fixtures.js';

/** A manifest in `data/` with 3×2 gray images and their label PNGs, given as [image, mask values, bit depth]. */
async function segmentationFolder(csv: string, files: Array<[string, number[] | null, (1 | 8 | 16)?]>): Promise<{ folder: string; manifest: string }> {
  const folder = await temporaryFolder();
  for (const [image, mask, bitDepth] of files) {
    await writeGrayPng(join(folder, 'data', image), 100, 3, 2);
    if (mask) await writeLabelPng(join(folder, 'data', image.replace(/^img\//, 'mask/')), 3, mask, bitDepth ?? 8);
  }
  const manifest = join(folder, 'data', 'manifest.csv');
  await writeText(manifest, csv);
  return { folder, manifest };
}

const mask = (dataset: { openMask?: (item: never) => Promise<{ data: Uint8Array | Uint16Array }> }, item: unknown) =>
  dataset.openMask!(item as never).then((map) => Array.from(map.data));

describe('csv manifest with a mask column (a user\'s segmentation set)', () => {
  it('reads path,mask with classes as label value → name: 0/255 masks become class indices 0/1', async () => {
    const csv = 'path,mask,split\nimg/a.png,mask/a.png,train\nimg/b.png,mask/b.png,test\n';
    const { manifest, folder } = await segmentationFolder(csv, [['img/a.png', [0, 255, 255, 0, 0, 0]], ['img/b.png', [0, 0, 0, 0, 0, 255]]]);
    const dataset = await csvManifestDataset.create({ manifest, classes: { 0: 'background', 255: 'lesion' } }, contextAt('/'));
    expect(dataset).toMatchObject({ task: 'segmentation', classes: ['background', 'lesion'], skipped: [] });
    expect(dataset.items).toEqual([
      { id: 'img/a.png', split: 'train', source: join(folder, 'data/img/a.png') },
      { id: 'img/b.png', split: 'test', source: join(folder, 'data/img/b.png') },
    ]);
    expect(await mask(dataset, dataset.items[0])).toEqual([0, 1, 1, 0, 0, 0]);
    expect(await mask(dataset, dataset.items[1])).toEqual([0, 0, 0, 0, 0, 1]);
    expect(dataset.notes).toContain('csv: segmentation, classes from the "classes" option');
  });

  it('takes the classes from classes.json (names in value order) or classes.csv (value,name) beside the manifest; masks of any bit depth', async () => {
    const csv = 'path,mask,split\nimg/a.png,mask/a.png,train\n';
    const oneBit = await segmentationFolder(csv, [['img/a.png', [0, 1, 1, 0, 1, 0], 1]]);
    await writeText(join(oneBit.folder, 'data/classes.json'), '["background", "lung"]');
    const fromJson = await csvManifestDataset.create({ manifest: oneBit.manifest }, contextAt('/'));
    expect(fromJson.classes).toEqual(['background', 'lung']);
    expect(await mask(fromJson, fromJson.items[0])).toEqual([0, 1, 1, 0, 1, 0]);
    expect(fromJson.notes).toContain(`csv: segmentation, classes from ${join(oneBit.folder, 'data/classes.json')}`);

    const atlas = await segmentationFolder(csv, [['img/a.png', [0, 2001, 9170, 9170, 0, 2001], 16]]);
    await writeText(join(atlas.folder, 'data/classes.csv'), 'value,name\n9170,Vermis_10\n0,background\n2001,Precentral_L\n');
    const fromCsv = await csvManifestDataset.create({ manifest: atlas.manifest }, contextAt('/'));
    expect(fromCsv.classes).toEqual(['background', 'Precentral_L', 'Vermis_10']);
    expect(await mask(fromCsv, fromCsv.items[0])).toEqual([0, 1, 2, 2, 0, 1]);

    await writeText(join(atlas.folder, 'data/classes.json'), '["background", "x"]');
    await expect(csvManifestDataset.create({ manifest: atlas.manifest }, contextAt('/'))).rejects.toThrow(`${join(atlas.folder, 'data')} holds both classes.json and classes.csv; keep one`);
    await rm(join(atlas.folder, 'data/classes.json'));
    await rm(join(atlas.folder, 'data/classes.csv'));
    await expect(csvManifestDataset.create({ manifest: atlas.manifest }, contextAt('/'))).rejects.toThrow(
      `a segmentation set needs its class names: the "classes" option (["background", "lung"] or { "0": "background", "255": "lesion" }), or classes.json or classes.csv in ${join(atlas.folder, 'data')}`,
    );
    await expect(csvManifestDataset.create({ manifest: atlas.manifest, classes: { 1: 'lung', 2: 'heart' } }, contextAt('/'))).rejects.toThrow(
      'the "classes" option: label value 0 (the background) has no class name',
    );
  });

  it('refuses a mask value outside the class list as a bad item naming the mask file, the value and a pixel', async () => {
    const csv = 'path,mask,split\nimg/a.png,mask/a.png,train\nimg/b.png,mask/b.png,test\n';
    const { folder, manifest } = await segmentationFolder(csv, [['img/a.png', [0, 1, 1, 0, 0, 0]], ['img/b.png', [0, 0, 7, 0, 0, 1]]]);
    const classes = ['background', 'lung'];
    const reason = `${join(folder, 'data/mask/b.png')}: label value 7 at pixel (2, 0) is not one of the classes (0 background, 1 lung) of the "classes" option`;
    await expect(csvManifestDataset.create({ manifest, classes }, contextAt('/'))).rejects.toThrow(
      `dataset "csv": 1 bad item (onBadItem is "fail"); first: ${join(folder, 'data/img/b.png')}: ${reason}`,
    );
    const skipping = await csvManifestDataset.create({ manifest, classes, onBadItem: 'skip' }, contextAt('/'));
    expect(skipping.items.map((item) => item.id)).toEqual(['img/a.png']);
    expect(skipping.skipped).toEqual([{ source: join(folder, 'data/img/b.png'), reason }]);
  });

  it('reports a missing mask, a mask of another size than its image, and refuses a header with both label and mask', async () => {
    const csv = 'path,mask,split\nimg/a.png,mask/a.png,train\nimg/b.png,mask/b.png,train\nimg/c.png,mask/c.png,test\n';
    const { folder, manifest } = await segmentationFolder(csv, [['img/a.png', [0, 1, 1, 0, 0, 0]], ['img/b.png', null], ['img/c.png', [0, 1]]]);
    await writeLabelPng(join(folder, 'data/mask/c.png'), 2, [0, 1, 1, 0]);
    const dataset = await csvManifestDataset.create({ manifest, classes: ['background', 'lung'], onBadItem: 'skip' }, contextAt('/'));
    expect(dataset.skipped).toEqual([
      { source: join(folder, 'data/img/b.png'), reason: `${manifest}:3: mask not found: ${join(folder, 'data/mask/b.png')}` },
      { source: join(folder, 'data/img/c.png'), reason: `mask ${join(folder, 'data/mask/c.png')} is 2×2 but its image is 3×2` },
    ]);
    await writeText(manifest, 'path,label,mask\nimg/a.png,x,mask/a.png\n');
    await expect(csvManifestDataset.create({ manifest, classes: ['background', 'lung'] }, contextAt('/'))).rejects.toThrow(
      `${manifest}: the header has both a label column (classification) and a mask column (segmentation); keep one`,
    );
    await writeText(manifest, 'path,mask\nimg/a.png,mask/a.png\n');
    await expect(csvManifestDataset.create({ manifest, classes: ['background', 'lung'], multiLabel: true }, contextAt('/'))).rejects.toMatchObject({ pointer: '/multiLabel' });
    await writeText(manifest, 'path,label\nimg/a.png,x\n');
    await expect(csvManifestDataset.create({ manifest, classes: { 0: 'x' } }, contextAt('/'))).rejects.toMatchObject({ pointer: '/classes' });
  });

  it('keeps the slices of a volume together: carved splits by volume, items carrying it (3D Dice), a volume in two splits refused', async () => {
    // 10 scans of 3 slices each, no split column: every scan must land in one split.
    const rows: string[] = [];
    const files: Array<[string, number[]]> = [];
    for (let scan = 0; scan < 10; scan++) {
      for (let slice = 0; slice < 3; slice++) {
        rows.push(`img/s${scan}-${slice}.png,mask/s${scan}-${slice}.png,scan${scan},${slice}`);
        files.push([`img/s${scan}-${slice}.png`, [0, 1, 0, 0, slice % 2, 0]]);
      }
    }
    const { manifest } = await segmentationFolder(`path,mask,volume,slice\n${rows.join('\n')}\n`, files);
    const dataset = await csvManifestDataset.create({ manifest, classes: ['background', 'lung'] }, contextAt('/'));
    const splitsOf = new Map<string, Set<string>>();
    for (const item of dataset.items) splitsOf.set(item.volume!, (splitsOf.get(item.volume!) ?? new Set()).add(item.split));
    expect(splitsOf.size).toBe(10);
    expect([...splitsOf.values()].every((splits) => splits.size === 1)).toBe(true);
    // round(0.2 · 10) = 2 scans to TEST, round(0.1 · 10) = 1 to VAL: 6 / 3 / 21 slices.
    expect(dataset.notes).toContain('csv: TRAIN 21 / VAL 3 / TEST 6');
    expect(dataset.notes.join('\n')).toMatch(/no split column; carved volumes/);

    await writeText(manifest, 'path,mask,volume,slice,split\nimg/s0-0.png,mask/s0-0.png,scan0,0,train\nimg/s0-1.png,mask/s0-1.png,scan0,1,test\n');
    await expect(csvManifestDataset.create({ manifest, classes: ['background', 'lung'] }, contextAt('/'))).rejects.toThrow(
      /volume "scan0" appears in splits train \(.*s0-0\.png\) and test \(.*s0-1\.png\); a volume must stay in one split/,
    );
  });

  it('checks slice indices: a slice listed twice is a bad item, gaps are noted, a slice column needs a volume column', async () => {
    const csv = [
      'path,mask,volume,slice,split',
      'img/a.png,mask/a.png,scan1,0,train',
      'img/b.png,mask/b.png,scan1,3,train',
      'img/c.png,mask/c.png,scan1,3,train',
      'img/d.png,mask/d.png,scan1,x,train',
    ].join('\n');
    const files: Array<[string, number[]]> = ['a', 'b', 'c', 'd'].map((name) => [`img/${name}.png`, [0, 0, 0, 0, 0, 1]]);
    const { manifest } = await segmentationFolder(`${csv}\n`, files);
    const dataset = await csvManifestDataset.create({ manifest, classes: ['background', 'lung'], onBadItem: 'skip' }, contextAt('/'));
    expect(dataset.skipped.map((item) => item.reason)).toEqual([
      `${manifest}:4: slice 3 of volume "scan1" is listed again (first at line 3)`,
      `${manifest}:5: slice "x" is not a whole number ≥ 0`,
    ]);
    expect(dataset.notes).toContain('csv: volume "scan1" lists slices 0..3 without 2 of them (1, 2); its 3D Dice covers the slices listed');
    await writeText(manifest, 'path,mask,slice\nimg/a.png,mask/a.png,0\n');
    await expect(csvManifestDataset.create({ manifest, classes: ['background', 'lung'] }, contextAt('/'))).rejects.toThrow(
      `${manifest}: a slice column needs a volume column (the scan each slice belongs to)`,
    );
  });
});
