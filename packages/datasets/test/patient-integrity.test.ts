import { join } from 'node:path';
import { bootstrapInterval, resamplingGroups, type DatasetItem } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { brainTumorMriDataset, csvManifestDataset, nihChestXray14Dataset, sarsCov2CtDataset } from '../src/index.js';
import { carveSplits } from '../src/patient-splits.js';
import { contextAt, temporaryFolder, writeGrayPng, writeText } from './fixtures.js';
import { writeMatV73 } from './mat-v73-fixtures.js';

/** Patients whose items sit in more than one split. */
function leakingPatients(items: readonly DatasetItem[]): string[] {
  const splits = new Map<string, Set<string>>();
  for (const item of items) {
    if (item.patient === undefined) throw new Error(`${item.id} has no patient`);
    splits.set(item.patient, (splits.get(item.patient) ?? new Set()).add(item.split));
  }
  return [...splits].filter(([, seen]) => seen.size > 1).map(([patient]) => patient);
}

const PATIENTS = 12;
const IMAGES_PER_PATIENT = 8;
const patientName = (p: number) => `p${String(p).padStart(2, '0')}`;

describe('patient-level integrity: a naive image-level split would leak, radprobe splits do not', () => {
  it('csv manifest without a split column: patients are carved whole', async () => {
    const root = await temporaryFolder();
    const rows = ['path,label,patient'];
    for (let p = 0; p < PATIENTS; p++) {
      for (let i = 0; i < IMAGES_PER_PATIENT; i++) {
        const path = `img/${patientName(p)}_${i}.png`;
        rows.push(`${path},${p % 2 ? 'a' : 'b'},${patientName(p)}`);
        await writeGrayPng(join(root, path), p);
      }
    }
    await writeText(join(root, 'manifest.csv'), `${rows.join('\n')}\n`);
    const dataset = await csvManifestDataset.create({ manifest: 'manifest.csv', splitFractions: { val: 0.25, test: 0.25 } }, contextAt(root));
    // The same carving applied to images instead of patients puts some patient on two sides.
    const naive = carveSplits(dataset.items.map((item) => item.id), { val: 0.25, test: 0.25 });
    expect(leakingPatients(dataset.items.map((item) => ({ ...item, split: naive.get(item.id)! }))).length).toBeGreaterThan(0);
    expect(leakingPatients(dataset.items)).toEqual([]);
    expect(new Set(dataset.items.map((item) => item.split))).toEqual(new Set(['train', 'val', 'test']));
  });

  it('sars-cov-2-ct: every slice of a patient folder lands in its patient’s split', async () => {
    const root = await temporaryFolder();
    for (let p = 0; p < PATIENTS; p++) {
      const folder = ['Covid', 'Healthy', 'Others'][p % 3];
      for (let i = 0; i < IMAGES_PER_PATIENT; i++) await writeGrayPng(join(root, folder, patientName(p), `${i}.png`), i);
    }
    const dataset = await sarsCov2CtDataset.create({ root }, contextAt('/'));
    expect(dataset.items).toHaveLength(PATIENTS * IMAGES_PER_PATIENT);
    expect(leakingPatients(dataset.items)).toEqual([]);
    expect(new Set(dataset.items.map((item) => item.split))).toEqual(new Set(['train', 'val', 'test']));
  });

  it('brain-tumor-mri: slices are grouped by the PID inside each file, whatever the file numbering', async () => {
    const root = await temporaryFolder();
    // Files numbered consecutively but patients interleaved: an image-level split by number would mix them.
    for (let n = 0; n < PATIENTS * 3; n++) {
      const pid = patientName(n % PATIENTS);
      await writeMatV73(join(root, `${n + 1}.mat`), 'cjdata', {
        label: { type: 'double', shape: [1, 1], values: [1 + (n % 3)] },
        PID: { type: 'uint16', shape: [pid.length, 1], values: [...pid].map((char) => char.charCodeAt(0)) },
        image: { type: 'int16', shape: [1, 1], values: [n] },
      });
    }
    const dataset = await brainTumorMriDataset.create({ root }, contextAt('/'));
    expect(leakingPatients(dataset.items)).toEqual([]);
    expect(new Set(dataset.items.map((item) => item.split))).toEqual(new Set(['train', 'val', 'test']));
  });

  it('nih-chestxray14: no patient is in TEST and in TRAIN or VAL (the official lists are by patient)', async () => {
    const root = await temporaryFolder();
    const entries: string[] = [];
    const trainVal: string[] = [];
    const test: string[] = [];
    for (let p = 1; p <= PATIENTS; p++) {
      for (let i = 0; i < IMAGES_PER_PATIENT; i++) {
        const image = `${String(p).padStart(8, '0')}_${String(i).padStart(3, '0')}.png`;
        entries.push(`${image},No Finding,${i},${p},50,F,PA,2500,2048,0.171,0.171,`);
        (p % 4 === 0 ? test : trainVal).push(image);
        await writeGrayPng(join(root, 'images_001', 'images', image), p);
      }
    }
    await writeText(join(root, 'Data_Entry_2017.csv'), `Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],\n${entries.join('\n')}\n`);
    await writeText(join(root, 'train_val_list.txt'), trainVal.join('\n'));
    await writeText(join(root, 'test_list.txt'), test.join('\n'));
    const dataset = await nihChestXray14Dataset.create({ root, valSize: 10 }, contextAt('/'));
    const testPatients = new Set(dataset.items.filter((item) => item.split === 'test').map((item) => item.patient));
    expect(testPatients.size).toBe(3);
    expect(dataset.items.filter((item) => item.split !== 'test' && testPatients.has(item.patient))).toEqual([]);
  });

  it('a user manifest with one patient in two splits is reported, naming the patient, the splits and the files', async () => {
    const root = await temporaryFolder();
    await writeGrayPng(join(root, 'a.png'), 1);
    await writeGrayPng(join(root, 'b.png'), 2);
    await writeText(join(root, 'manifest.csv'), 'path,label,patient,split\na.png,x,P7,train\nb.png,y,P7,test\n');
    await expect(csvManifestDataset.create({ manifest: 'manifest.csv' }, contextAt(root))).rejects.toThrow(
      `dataset "csv": patient "P7" appears in splits train (${join(root, 'a.png')}) and test (${join(root, 'b.png')}); a patient must stay in one split`,
    );
  });
});

describe('patient-level integrity of the bootstrap', () => {
  it('resamples whole patients: every item of a patient gets the same weight in every resample', () => {
    // 3 patients with 4, 1 and 2 items, interleaved, plus an item without a patient that stands alone.
    const patients = ['A', 'B', 'A', 'C', 'A', 'C', 'A', undefined];
    const items: DatasetItem[] = patients.map((patient, index) => ({ id: String(index), split: 'test', source: String(index), ...(patient ? { patient } : {}) }));
    const groups = resamplingGroups(items);
    expect(groups).toMatchObject({ count: 4, unit: 'patient' });
    expect([...groups.groups]).toEqual([0, 1, 0, 2, 0, 2, 0, 3]);
    const seen: Float64Array[] = [];
    const metric = { evaluate: (weights: Float64Array | null) => (weights ? (seen.push(weights.slice()), 0) : 0) };
    bootstrapInterval(metric, groups, { samples: 50, confidence: 0.9, seed: 1 });
    expect(seen).toHaveLength(50);
    for (const weights of seen) {
      expect(new Set([weights[0], weights[2], weights[4], weights[6]]).size).toBe(1);
      expect(weights[3]).toBe(weights[5]);
      // 4 groups drawn with replacement: the draws per group sum to 4.
      expect(weights[0] + weights[1] + weights[3] + weights[7]).toBe(4);
    }
    // Patient A's 4 items are sometimes left out together and sometimes drawn more than once together.
    expect(seen.some((weights) => weights[0] === 0)).toBe(true);
    expect(seen.some((weights) => weights[0] > 1)).toBe(true);
  });
});
