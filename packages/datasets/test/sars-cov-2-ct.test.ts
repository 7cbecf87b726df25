import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sarsCov2CtDataset } from '../src/index.js';
import { evenlySpaced, positionalSplits, roundHalfEven } from '../src/spaced-splits.js';
import { contextAt, temporaryFolder, writeGrayPng, writeText } from './fixtures.js';

describe('evenly spaced positions', () => {
  it('match numpy: round(arange(0, n, n / k)) with halves to even', () => {
    // numpy: np.round(np.arange(0, 210, 3)) = 0, 3, …, 207 (70 positions).
    expect(evenlySpaced(210, 70)).toEqual(Array.from({ length: 70 }, (_, i) => 3 * i));
    // np.round(np.arange(0, 140, 2.8))[:6] = 0, 3, 6, 8, 11, 14 (2.8, 5.6, 8.4, 11.2 round to 3, 6, 8, 11).
    expect(evenlySpaced(140, 50).slice(0, 6)).toEqual([0, 3, 6, 8, 11, 14]);
    // np.round(np.arange(0, 10, 2.5)) = 0, 2 (2.5 → 2), 5, 8 (7.5 → 8).
    expect(evenlySpaced(10, 4)).toEqual([0, 2, 5, 8]);
    expect([roundHalfEven(0.5), roundHalfEven(1.5), roundHalfEven(2.5), roundHalfEven(-1.5), roundHalfEven(2.6)]).toEqual([0, 2, 2, -2, 3]);
  });

  it('give the study 70 / 50 / 90 patients for the published 210', () => {
    const splits = positionalSplits(210, (n) => evenlySpaced(n, 70), (n) => evenlySpaced(n, 50));
    expect(['train', 'val', 'test'].map((split) => splits.filter((s) => s === split).length)).toEqual([90, 50, 70]);
  });
});

async function sarsFolder(patients: Record<string, number[]>): Promise<string> {
  const root = await temporaryFolder();
  for (const [patient, values] of Object.entries(patients)) {
    for (const [slice, value] of values.entries()) await writeGrayPng(join(root, patient, `${slice + 1}.png`), value);
  }
  return root;
}

describe('sars-cov-2-ct', () => {
  it('splits sorted patients by position, keeps every slice of a patient together, labels COVID against the rest', async () => {
    const root = await sarsFolder({
      'Covid/Patient 1': [1, 2, 3],
      'Covid/Patient 2': [4],
      'Covid/Patient 3': [5, 6],
      'Healthy/Patient 1': [7, 8],
      'Healthy/Patient 2': [9],
      'Others/Patient 1': [10, 11],
      'Others/Patient 2': [12],
    });
    await writeText(join(root, 'Covid', 'readme.txt'), 'x');
    await writeText(join(root, 'Others', 'Patient 2', 'notes.txt'), 'x');
    const dataset = await sarsCov2CtDataset.create({ root }, contextAt('/'));
    expect(dataset).toMatchObject({ task: 'binary', classes: ['not COVID', 'COVID'] });
    // 7 patients: TEST round(7·70/210) = round(2.33) = 2 at round(arange(0, 7, 3.5)) = 0, 4 (3.5 → 4);
    // VAL round(7·50/210) = round(1.67) = 2 of the 5 left at round(arange(0, 5, 2.5)) = 0, 2 (2.5 → 2).
    // Sorted: C1 C2 C3 H1 H2 O1 O2 → TEST C1, H2; rest C2 C3 H1 O1 O2 → VAL C2, H1.
    const byPatient = Object.fromEntries(dataset.items.map((item) => [item.patient, item.split]));
    expect(byPatient).toEqual({
      'Covid/Patient 1': 'test', 'Covid/Patient 2': 'val', 'Covid/Patient 3': 'train', 'Healthy/Patient 1': 'val',
      'Healthy/Patient 2': 'test', 'Others/Patient 1': 'train', 'Others/Patient 2': 'train',
    });
    expect(dataset.items.filter((item) => item.patient === 'Covid/Patient 1').map(({ id, volume, label }) => [id, volume, label])).toEqual([
      ['Covid/Patient 1/1.png', 'Covid/Patient 1', 1], ['Covid/Patient 1/2.png', 'Covid/Patient 1', 1], ['Covid/Patient 1/3.png', 'Covid/Patient 1', 1],
    ]);
    expect(dataset.items.find((item) => item.patient === 'Others/Patient 2')!.label).toBe(0);
    expect(dataset.skipped).toEqual([
      { source: join(root, 'Covid', 'readme.txt'), reason: 'not inside a patient folder' },
      { source: join(root, 'Others', 'Patient 2', 'notes.txt'), reason: 'not a .png slice' },
    ]);
    expect(dataset.notes[0]).toBe(
      'sars-cov-2-ct: 7 patients sorted by folder; TEST 2 at round(arange(0, 7, 7/2)), VAL 2 likewise over the rest, TRAIN the rest (the published set has 210; counts scaled from 70 / 50)',
    );
    expect(dataset.notes[1]).toBe('sars-cov-2-ct: TRAIN 5 / VAL 3 / TEST 4 slices; COVID (label 1) against Healthy and Others (label 0)');
  });

  it('names the missing class folder', async () => {
    const root = await sarsFolder({ 'Covid/P1': [1], 'Healthy/P1': [1] });
    await expect(sarsCov2CtDataset.create({ root }, contextAt('/'))).rejects.toThrow(`option "root": ${root} has no Others/ folder (expected Covid/, Healthy/, Others/)`);
  });
});
