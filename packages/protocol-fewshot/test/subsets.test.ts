import { describe, expect, it } from 'vitest';
import { Random, type DatasetItem, type DatasetView } from '@radprobe/core';
import { imageSubset, patientSubset, perClassSubset } from '../src/index.js';

const view = (task: DatasetView['task'], classes: string[], items: DatasetItem[]): DatasetView => ({ name: 'hand', task, classes, items, notes: [] });
const trainOf = (items: DatasetItem[]) => items.flatMap((item, index) => (item.split === 'train' ? [index] : []));
const ids = (dataset: DatasetView, indices: number[]) => indices.map((index) => dataset.items[index].id);

// Classes A, B, C. TRAIN patients and their images' labels (dataset order deliberately not patient order):
//   P1: i1 {A, B}, i2 {A}  → label set {A}          P4: i6 {C}, i7 {}  → {} (C is not on every image)
//   P2: i3 {B}             → {B}                    P5: i8 {B, C}      → {B, C}
//   P3: i4 {A, B}, i5 {A, B} → {A, B}               P6: i9 {A}         → {A}
const labelled = (id: string, patient: string, split: DatasetItem['split'], labels: number[]): DatasetItem => ({ id, patient, split, labels, source: `${id}.png` });
const nih = view('multilabel', ['A', 'B', 'C'], [
  labelled('i8', 'P5', 'train', [0, 1, 1]),
  labelled('i1', 'P1', 'train', [1, 1, 0]),
  labelled('v1', 'P7', 'val', [0, 0, 1]),
  labelled('i6', 'P4', 'train', [0, 0, 1]),
  labelled('i3', 'P2', 'train', [0, 1, 0]),
  labelled('i9', 'P6', 'train', [1, 0, 0]),
  labelled('i4', 'P3', 'train', [1, 1, 0]),
  labelled('t1', 'P8', 'test', [0, 0, 1]),
  labelled('i2', 'P1', 'train', [1, 0, 0]),
  labelled('i7', 'P4', 'train', [0, 0, 0]),
  labelled('i5', 'P3', 'train', [1, 1, 0]),
]);
const nihTrain = trainOf(nih.items as DatasetItem[]);

describe('patientSubset (the study’s NIH rule)', () => {
  it('1 shot: per class the first patient holding it by intersected labels, skipping those taken', () => {
    // A: P1 (label set {A}). B: P1 taken → P2. C: P3 {A, B} no, P4 {} no (intersection), P5 {B, C} yes.
    const subset = patientSubset(nih, nihTrain, 1, null);
    expect(ids(nih, subset.items)).toEqual(['i8', 'i1', 'i3', 'i2']);
    expect(subset.taken).toBe(3);
    expect(subset.shortfalls).toEqual([]);
  });

  it('2 shots: skipping taken patients can leave a class short, and says so', () => {
    // A: P1, P3. B: P1, P3 taken → P2, then P5. C: P5 taken, P6 {A} → none left: C found 0.
    const subset = patientSubset(nih, nihTrain, 2, null);
    expect(ids(nih, subset.items).sort()).toEqual(['i1', 'i2', 'i3', 'i4', 'i5', 'i8']);
    expect(subset.taken).toBe(4);
    expect(subset.shortfalls).toEqual([{ className: 'C', found: 0 }]);
  });

  it('sorts patients by id, not by dataset order, and never takes VAL or TEST items', () => {
    const subset = patientSubset(nih, nihTrain, 16, null);
    // Every patient with a non-empty label set: P1, P2, P3, P5, P6 (P4's set is empty).
    expect(ids(nih, subset.items).sort()).toEqual(['i1', 'i2', 'i3', 'i4', 'i5', 'i8', 'i9']);
    expect(subset.items.every((index) => nih.items[index].split === 'train')).toBe(true);
  });

  it('is deterministic; seeded draws shuffle the patients, differ by seed and repeat for one seed', () => {
    // 30 single-image patients Q00..Q29 of classes A, B in turn (even → A, odd → B).
    const items = Array.from({ length: 30 }, (_, i) => labelled(`j${i}`, `Q${String(i).padStart(2, '0')}`, 'train', [i % 2 === 0 ? 1 : 0, i % 2, 0]));
    const dataset = view('multilabel', ['A', 'B', 'C'], items);
    const train = trainOf(items);
    expect(ids(dataset, patientSubset(dataset, train, 2, null).items)).toEqual(['j0', 'j1', 'j2', 'j3']);
    const draw = (seed: number) => ids(dataset, patientSubset(dataset, train, 2, new Random(seed)).items);
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(1)).not.toEqual(['j0', 'j1', 'j2', 'j3']);
    // Still two of each class.
    for (const seed of [1, 2, 3]) {
      const picked = patientSubset(dataset, train, 2, new Random(seed)).items;
      expect(picked.filter((index) => index % 2 === 0)).toHaveLength(2);
      expect(picked.filter((index) => index % 2 === 1)).toHaveLength(2);
    }
  });

  it('names an item without a patient', () => {
    const items = [labelled('a', 'P1', 'train', [1, 0, 0]), { id: 'b', split: 'train' as const, labels: [1, 0, 0], source: 'b.png' }];
    expect(() => patientSubset(view('multilabel', ['A', 'B', 'C'], items), [0, 1], 1, null)).toThrow('unit patient needs a patient on every TRAIN item; b (b.png) has none');
  });
});

describe('imageSubset (evenly spaced)', () => {
  // TRAIN ids img-00..img-09 stored in reverse, with a TEST item in between.
  const items: DatasetItem[] = Array.from({ length: 10 }, (_, i) => ({ id: `img-0${9 - i}`, split: 'train' as const, label: 0, source: `${i}.png` }));
  items.splice(4, 0, { id: 'img-zz', split: 'test', label: 0, source: 'zz.png' });
  const dataset = view('multiclass', ['x'], items);
  const train = trainOf(items);

  it('takes round(arange(0, N, N/shots)) of TRAIN sorted by id, numpy rounding', () => {
    // N = 10, shots 4: 0, 2.5, 5, 7.5 → 0, 2, 5, 8 (halves to even).
    expect(ids(dataset, imageSubset(dataset, train, 4, null).items).sort()).toEqual(['img-00', 'img-02', 'img-05', 'img-08']);
    // shots 3: 0, 3.33, 6.67 → 0, 3, 7.
    expect(ids(dataset, imageSubset(dataset, train, 3, null).items).sort()).toEqual(['img-00', 'img-03', 'img-07']);
    expect(ids(dataset, imageSubset(dataset, train, 1, null).items)).toEqual(['img-00']);
  });

  it('takes all of TRAIN when shots exceed it, and returns indices in dataset order', () => {
    const subset = imageSubset(dataset, train, 16, null);
    expect(subset.items).toEqual(train);
    expect(subset.taken).toBe(10);
  });

  it('draws at random for seeded tries: reproducible, different per seed', () => {
    const draw = (seed: number) => imageSubset(dataset, train, 4, new Random(seed)).items;
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
    expect(draw(5)).toHaveLength(4);
    expect(new Set(draw(5)).size).toBe(4);
  });
});

describe('perClassSubset (upstream DINOv2: shots images of each class)', () => {
  // Classes x, y, z. TRAIN, stored shuffled with VAL and TEST items among them:
  //   x: a0 a1 a2 a3 a4 a5 a6 (7)   y: b0 b1 b2 (3)   z: c0 (1)
  const single = (id: string, label: number, split: DatasetItem['split'] = 'train'): DatasetItem => ({ id, split, label, source: `${id}.png` });
  const items: DatasetItem[] = [
    single('a6', 0), single('b2', 1), single('v0', 0, 'val'), single('a0', 0), single('c0', 2), single('a3', 0), single('b0', 1),
    single('t0', 1, 'test'), single('a5', 0), single('a1', 0), single('b1', 1), single('a4', 0), single('a2', 0),
  ];
  const dataset = view('multiclass', ['x', 'y', 'z'], items);
  const train = trainOf(items);
  const byClass = (subset: { items: number[] }) => [0, 1, 2].map((label) => ids(dataset, subset.items.filter((index) => items[index].label === label)).sort());

  it('2 shots: per class, round(arange(0, N, N/2)) of its TRAIN images sorted by id; a class with fewer gives all and is named', () => {
    // x: N = 7, positions 0, 3.5 → 0, 4 (half to even): a0, a4. y: N = 3, positions 0, 1.5 → 0, 2: b0, b2. z: c0 only.
    const subset = perClassSubset(dataset, train, 2, null);
    expect(byClass(subset)).toEqual([['a0', 'a4'], ['b0', 'b2'], ['c0']]);
    expect(subset.taken).toBe(5);
    expect(subset.shortfalls).toEqual([{ className: 'z', found: 1 }]);
    expect(subset.items).toEqual([...subset.items].sort((a, b) => a - b));
  });

  it('3 shots: x at positions 0, 2.33, 4.67 → 0, 2, 5; y all three; never VAL or TEST', () => {
    const subset = perClassSubset(dataset, train, 3, null);
    expect(byClass(subset)).toEqual([['a0', 'a2', 'a5'], ['b0', 'b1', 'b2'], ['c0']]);
    expect(subset.items.every((index) => items[index].split === 'train')).toBe(true);
  });

  it('1 shot: the first image of each class by id; seeded draws keep one of each class, repeat for one seed and differ across seeds', () => {
    expect(byClass(perClassSubset(dataset, train, 1, null))).toEqual([['a0'], ['b0'], ['c0']]);
    const draw = (seed: number) => perClassSubset(dataset, train, 2, new Random(seed));
    for (const seed of [1, 2, 3]) expect(byClass(draw(seed)).map((picked) => picked.length)).toEqual([2, 2, 1]);
    expect(draw(1).items).toEqual(draw(1).items);
    const draws = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(draw(seed).items)));
    expect(draws.size).toBeGreaterThan(1);
  });

  it('differs from the image rule, which counts images in total', () => {
    // Images in total, 3 of the 11 sorted TRAIN ids (a0..a6, b0..b2, c0): positions 0, 3.67, 7.33 → 0, 4, 7: a0, a4, b0.
    expect(ids(dataset, imageSubset(dataset, train, 3, null).items).sort()).toEqual(['a0', 'a4', 'b0']);
  });
});
