import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHEXPERT_FINDINGS, chexpertDataset } from '../src/index.js';
import { contextAt, temporaryFolder, writeText } from './fixtures.js';

/** The columns of CheXpert-v1.0's train.csv and valid.csv. */
const HEADER =
  'Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Enlarged Cardiomediastinum,Cardiomegaly,Lung Opacity,Lung Lesion,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,Pleural Other,Fracture,Support Devices';

/** A row: Cardiomegaly, Edema, Consolidation, Atelectasis, Pleural Effusion cells as written. */
function row(path: string, view: 'Frontal' | 'Lateral', [cardio, edema, consolidation, atelectasis, effusion]: string[]): string {
  return `CheXpert-v1.0-small/${path},Female,68,${view},${view === 'Frontal' ? 'AP' : ''},,,${cardio},,,${edema},${consolidation},,${atelectasis},,${effusion},,,1.0`;
}

/** A minimal JPEG: start of image, a baseline frame header for 1×1 gray, end of image (enough for listing). */
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0, 0xff, 0xd9]);

async function chexpertFolder(): Promise<string> {
  const root = join(await temporaryFolder(), 'CheXpert-v1.0-small');
  const train = [
    row('train/patient00001/study1/view1_frontal.jpg', 'Frontal', ['1.0', '', '0.0', '-1.0', '']),
    row('train/patient00001/study1/view2_lateral.jpg', 'Lateral', ['1.0', '', '', '', '']),
    row('train/patient00001/study2/view1_frontal.jpg', 'Frontal', ['', '1.0', '', '', '']),
    row('train/patient00002/study1/view1_frontal.jpg', 'Frontal', ['0.0', '0.0', '0.0', '0.0', '1.0']),
    row('train/patient00003/study1/view1_frontal.jpg', 'Frontal', ['', '', '', '', '']),
  ];
  const valid = [row('valid/patient64541/study1/view1_frontal.jpg', 'Frontal', ['1.0', '0.0', '0.0', '1.0', '0.0'])];
  await writeText(join(root, 'train.csv'), `${HEADER}\n${train.join('\n')}\n`);
  await writeText(join(root, 'valid.csv'), `${HEADER}\n${valid.join('\n')}\n`);
  for (const line of [...train, ...valid]) {
    const path = join(root, line.split(',')[0].replace('CheXpert-v1.0-small/', ''));
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, JPEG);
  }
  return root;
}

describe('chexpert', () => {
  it('frontal views only, the five findings with U-Zeros, patient from the path, TEST = valid.csv', async () => {
    const root = await chexpertFolder();
    const dataset = await chexpertDataset.create({ root, valFraction: 0.34 }, contextAt('/'));
    expect(dataset).toMatchObject({ task: 'multilabel', classes: [...CHEXPERT_FINDINGS], skipped: [] });
    expect(dataset.items.map(({ id, patient, labels }) => [id, patient, labels])).toEqual([
      ['train/patient00001/study1/view1_frontal.jpg', 'patient00001', [1, 0, 0, 0, 0]],
      ['train/patient00001/study2/view1_frontal.jpg', 'patient00001', [0, 1, 0, 0, 0]],
      ['train/patient00002/study1/view1_frontal.jpg', 'patient00002', [0, 0, 0, 0, 1]],
      ['train/patient00003/study1/view1_frontal.jpg', 'patient00003', [0, 0, 0, 0, 0]],
      ['valid/patient64541/study1/view1_frontal.jpg', 'patient64541', [1, 0, 0, 1, 0]],
    ]);
    expect(dataset.items[4].split).toBe('test');
    // round(0.34 · 3 patients) = 1 patient carved into VAL; both images of patient00001 share a split.
    expect(new Set(dataset.items.filter((item) => item.split === 'val').map((item) => item.patient)).size).toBe(1);
    expect(dataset.items[0].split).toBe(dataset.items[1].split);
    expect(dataset.notes[0]).toBe('chexpert: frontal views only (1 lateral left out); blank and 0 → 0, 1 → 1, -1 → 0 (U-Zeros)');
    expect(dataset.items[0].source).toBe(join(root, 'train/patient00001/study1/view1_frontal.jpg'));
  });

  it('uncertainOutput adds "Uncertain" as a 6th output, set when any finding was -1', async () => {
    const dataset = await chexpertDataset.create({ root: await chexpertFolder(), uncertainOutput: true }, contextAt('/'));
    expect(dataset.classes).toEqual([...CHEXPERT_FINDINGS, 'Uncertain']);
    expect(dataset.items[0].labels).toEqual([1, 0, 0, 0, 0, 1]);
    expect(dataset.items[1].labels).toEqual([0, 1, 0, 0, 0, 0]);
  });

  it('reports unreadable label cells and missing files with the csv line', async () => {
    const root = await chexpertFolder();
    await writeText(join(root, 'valid.csv'), `${HEADER}\n${row('valid/patient64541/study1/view1_frontal.jpg', 'Frontal', ['2.0', '', '', '', ''])}\n${row('valid/patient64542/study1/view1_frontal.jpg', 'Frontal', ['', '', '', '', ''])}\n`);
    const dataset = await chexpertDataset.create({ root, onBadItem: 'skip' }, contextAt('/'));
    expect(dataset.skipped).toEqual([
      { source: join(root, 'valid/patient64541/study1/view1_frontal.jpg'), reason: `${join(root, 'valid.csv')}:2: Cardiomegaly is "2.0", expected 1, 0, -1 or blank` },
      { source: join(root, 'valid/patient64542/study1/view1_frontal.jpg'), reason: `${join(root, 'valid.csv')}:3: file not found` },
    ]);
  });
});
