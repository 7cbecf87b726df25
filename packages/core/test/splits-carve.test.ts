import { describe, expect, it } from 'vitest';
import { Random, carveValidation, type DatasetItem } from '../src/index.js';

const item = (id: string, split: DatasetItem['split'], extra: Partial<DatasetItem> = {}): DatasetItem => ({ id, split, source: `${id}.png`, ...extra });

describe('carveValidation', () => {
  const patients = Array.from({ length: 20 }, (_, p) => [item(`p${p}-a`, 'train', { patient: `P${p}` }), item(`p${p}-b`, 'train', { patient: `P${p}` })]).flat();
  const withTest = [...patients, item('t1', 'test', { patient: 'T1' })];

  it('moves 10 % of the TRAIN patients, whole, to VAL and leaves TEST alone', () => {
    const carved = carveValidation(withTest, 0.1, 0);
    // round(0.1 × 20 patients) = 2 patients, 2 items each.
    expect(carved.carved).toBe(4);
    expect(carved.unit).toBe('patient');
    const valPatients = new Set(withTest.filter((_, i) => carved.splits[i] === 'val').map((it) => it.patient));
    expect(valPatients.size).toBe(2);
    for (const [i, it] of withTest.entries()) {
      if (valPatients.has(it.patient)) expect(carved.splits[i]).toBe('val');
    }
    expect(carved.splits.at(-1)).toBe('test');
    expect(carved.note).toMatch(/VAL carved from TRAIN: 2 of 20 patients \(4 of 40 items, fraction 0.1, seed 0\)/);
  });

  it('does not depend on the item order, and depends on the seed', () => {
    const ids = (items: readonly DatasetItem[], splits: string[]) => items.filter((_, i) => splits[i] === 'val').map((it) => it.id).sort();
    const shuffled = new Random(4).shuffle(withTest.slice());
    expect(ids(shuffled, carveValidation(shuffled, 0.1, 0).splits)).toEqual(ids(withTest, carveValidation(withTest, 0.1, 0).splits));
    const seeds = [0, 1, 2, 3].map((seed) => ids(withTest, carveValidation(withTest, 0.1, seed).splits).join());
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it('falls back to volumes, then items, and keeps at least one group on each side', () => {
    const volumes = Array.from({ length: 4 }, (_, v) => [0, 1, 2].map((s) => item(`v${v}#${s}`, 'train', { volume: `V${v}` }))).flat();
    const byVolume = carveValidation(volumes, 0.1, 0);
    // round(0.1 × 4) = 0, raised to 1 volume of 3 slices.
    expect(byVolume).toMatchObject({ unit: 'volume', carved: 3 });
    const items = [item('a', 'train'), item('b', 'train')];
    expect(carveValidation(items, 0.9, 0)).toMatchObject({ unit: 'item', carved: 1 });
  });

  it('names what is missing', () => {
    expect(() => carveValidation([item('a', 'train'), item('b', 'test')])).toThrow(/TRAIN has 1 item\(s\)/);
    expect(() => carveValidation(patients, 1)).toThrow(/fraction 1 must lie strictly between 0 and 1/);
  });
});
