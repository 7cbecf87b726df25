import { describe, expect, it } from 'vitest';
import { validateOptions } from '@radprobe/core';
import { knnProtocol } from '@radprobe/protocol-knn';
import { fewshotOptionsSchema, fewshotProtocol, resolveFewshotOptions } from '../src/index.js';
import { contextOf, patientData } from './data.js';

describe('few-shot options', () => {
  it('defaults to the study’s shots, one deterministic try and the automatic unit', () => {
    expect(resolveFewshotOptions({ protocol: { kind: 'knn' } })).toEqual({ protocol: { kind: 'knn' }, shots: [1, 2, 4, 8, 16, 'all'], nTries: 1, unit: 'auto' });
    // The schema fills the same defaults as the config loader would.
    expect(validateOptions(fewshotOptionsSchema, { kind: 'fewshot', protocol: { kind: 'knn', k: [3] } }, 'entry', '')).toEqual({
      kind: 'fewshot',
      protocol: { kind: 'knn', k: [3] },
      shots: [1, 2, 4, 8, 16, 'all'],
      nTries: 1,
      unit: 'auto',
    });
    expect(() => validateOptions(fewshotOptionsSchema, { kind: 'fewshot', protocol: { kind: 'peft' } }, 'entry', '')).toThrow('entry at /protocol/kind');
  });

  it('names the pointer of bad values', () => {
    expect(() => resolveFewshotOptions({ protocol: { kind: 'knn' }, shots: [1, 1] })).toThrow('few-shot option shots lists 1 twice');
    expect(() => resolveFewshotOptions({ protocol: { kind: 'knn' }, nTries: 0 })).toThrow('few-shot option nTries = 0 must be a positive integer');
    expect(() => resolveFewshotOptions({ protocol: { kind: 'knn' }, unit: 'volume' as never })).toThrow(/unit = volume/);
    expect(() => resolveFewshotOptions({ protocol: 'knn' as never })).toThrow(/option protocol must be a protocol entry/);
  });

  it('unit auto counts images on multiclass data; unit patient needs patients on every TRAIN item', async () => {
    const images = patientData({ task: 'multiclass', counts: { train: 20, val: 4, test: 10 }, images: 1, patients: false });
    const auto = await fewshotProtocol.run({ protocol: { kind: 'knn', k: [1] }, shots: [2] }, contextOf(images, [knnProtocol]));
    expect(auto.rows[0].setting).toEqual({ shots: 2, unit: 'image', k: 1 });
    await expect(fewshotProtocol.run({ protocol: { kind: 'knn' }, unit: 'patient' }, contextOf(images, [knnProtocol]))).rejects.toMatchObject({ pointer: '/unit' });
    // Multiclass data with patients: the patient rule by request, one patient per class (3 classes).
    const withPatients = patientData({ task: 'multiclass', counts: { train: 30, val: 4, test: 10 } });
    const perPatient = await fewshotProtocol.run({ protocol: { kind: 'knn', k: [1] }, shots: [1], unit: 'patient' }, contextOf(withPatients, [knnProtocol]));
    expect(perPatient.rows[0].setting).toEqual({ shots: 1, unit: 'patient', k: 1 });
    expect(perPatient.notes.find((note) => note.startsWith('shots 1:'))).toBe('shots 1: seed 0: 3 patients, 6 images.');
  });

  it('unit per-class takes shots images of each class, says so in rows and notes, and refuses multi-label data', async () => {
    const images = patientData({ task: 'multiclass', counts: { train: 20, val: 4, test: 10 }, images: 1, patients: false });
    const perClass = await fewshotProtocol.run({ protocol: { kind: 'knn', k: [1] }, shots: [2], unit: 'per-class' }, contextOf(images, [knnProtocol]));
    expect(perClass.rows[0].setting).toEqual({ shots: 2, unit: 'per-class', k: 1 });
    // 3 classes × 2 images.
    expect(perClass.notes.find((note) => note.startsWith('shots 2:'))).toBe('shots 2: seed 0: 6 images.');
    expect(perClass.notes[0]).toMatch(/^Few-shot kNN: shots = TRAIN images per class \(upstream DINOv2's few-shot rule\)/);
    const multilabel = patientData({ task: 'multilabel', counts: { train: 20, val: 4, test: 10 } });
    await expect(fewshotProtocol.run({ protocol: { kind: 'knn' }, unit: 'per-class' }, contextOf(multilabel, [knnProtocol]))).rejects.toMatchObject({
      pointer: '/unit',
      message: expect.stringContaining('unit = "per-class" needs one class per image'),
    });
  });
});
