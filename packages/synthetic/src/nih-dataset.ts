import { join } from 'node:path';
import { RadprobeError, Random, writeFileAtomic } from '@radprobe/core';
import { NIH_FINDINGS, randomAnatomy, renderChest } from './chest-image.js';
import type { NihFinding } from './chest-image.js';
import { encodeGrayPng } from './gray-png.js';

export interface NihDatasetOptions {
  patients: number;
  /** Inclusive range of follow-up images per patient. */
  imagesPerPatient: [number, number];
  seed: number;
  /** Image side in pixels (default 64). */
  size?: number;
}

/** The real file's header, trailing comma included (pandas reads it as an unnamed 12th column). */
export const NIH_CSV_HEADER =
  'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],';

/** Relative frequencies of the findings among abnormal images, roughly those of the real dataset. */
const FINDING_WEIGHTS: Record<NihFinding, number> = {
  Atelectasis: 11,
  Cardiomegaly: 3,
  Effusion: 13,
  Infiltration: 20,
  Mass: 6,
  Nodule: 6,
  Pneumonia: 1.5,
  Pneumothorax: 5,
  Consolidation: 4.5,
  Edema: 2,
  Emphysema: 2.5,
  Fibrosis: 1.5,
  Pleural_Thickening: 3,
  Hernia: 0.5,
};

/** Share of patients in test_list.txt (the real split holds ~22% of the images). */
const TEST_SHARE = 0.2;

/**
 * Writes a miniature NIH ChestX-ray14: `Data_Entry_2017.csv`, `images_001/images/<8-digit patient>_<3-digit
 * follow-up>.png`, and patient-disjoint `train_val_list.txt` / `test_list.txt`. Labels come from the 14 real
 * findings (or "No Finding") and are drawn into the images. Returns the finding names in the dataset's
 * canonical order. Deterministic in `seed`.
 */
export async function writeNihDataset(root: string, opts: NihDatasetOptions): Promise<{ findings: string[] }> {
  const [fewest, most] = opts.imagesPerPatient;
  if (!Number.isInteger(opts.patients) || opts.patients < 1 || opts.patients > 99_999_999) {
    throw new RadprobeError(`writeNihDataset: patients = ${opts.patients} is not an integer in 1..99999999`);
  }
  if (!Number.isInteger(fewest) || !Number.isInteger(most) || fewest < 1 || most < fewest || most > 1000) {
    throw new RadprobeError(`writeNihDataset: imagesPerPatient [${fewest}, ${most}] is not a range of integers within 1..1000`);
  }
  const size = opts.size ?? 64;
  const random = new Random(opts.seed);
  const rows: string[] = [];
  const imagesByPatient: string[][] = [];
  for (let patient = 1; patient <= opts.patients; patient++) {
    const patientRandom = new Random(random.nextUint32());
    const anatomy = randomAnatomy(patientRandom);
    const age = 18 + patientRandom.int(70);
    const gender = patientRandom.next() < 0.56 ? 'M' : 'F';
    const chronic = patientRandom.next() < 0.3 ? [drawFinding(patientRandom)] : [];
    const images: string[] = [];
    const followUps = fewest + patientRandom.int(most - fewest + 1);
    for (let followUp = 0; followUp < followUps; followUp++) {
      const findings = imageFindings(patientRandom, chronic);
      const name = `${String(patient).padStart(8, '0')}_${String(followUp).padStart(3, '0')}.png`;
      const pixels = renderChest(size, anatomy, findings, patientRandom);
      await writeFileAtomic(join(root, 'images_001', 'images', name), encodeGrayPng(pixels, size, size, 8));
      const view = patientRandom.next() < 0.6 ? 'PA' : 'AP';
      const width = 2500 + patientRandom.int(557);
      const height = 2048 + patientRandom.int(1009);
      const spacing = patientRandom.next() < 0.8 ? '0.143' : '0.168';
      const labels = findings.length === 0 ? 'No Finding' : findings.join('|');
      rows.push([name, labels, followUp, patient, age + Math.floor(followUp / 4), gender, view, width, height, spacing, spacing, ''].join(','));
      images.push(name);
    }
    imagesByPatient.push(images);
  }
  await writeFileAtomic(join(root, 'Data_Entry_2017.csv'), `${[NIH_CSV_HEADER, ...rows].join('\n')}\n`);

  const order = random.shuffle(Array.from({ length: opts.patients }, (_, index) => index));
  const testCount = opts.patients < 2 ? 0 : Math.max(1, Math.round(opts.patients * TEST_SHARE));
  const testPatients = new Set(order.slice(0, testCount));
  const listOf = (test: boolean) =>
    imagesByPatient.filter((_, patient) => testPatients.has(patient) === test).flat().sort();
  await writeFileAtomic(join(root, 'train_val_list.txt'), lines(listOf(false)));
  await writeFileAtomic(join(root, 'test_list.txt'), lines(listOf(true)));
  return { findings: [...NIH_FINDINGS] };
}

function lines(names: string[]): string {
  return names.map((name) => `${name}\n`).join('');
}

/** About half the images are "No Finding"; the rest carry the patient's chronic finding and/or 1–2 acute ones. */
function imageFindings(random: Random, chronic: NihFinding[]): NihFinding[] {
  const found = new Set<NihFinding>(chronic);
  if (random.next() < 0.5 && chronic.length === 0) return [];
  const acute = random.next() < 0.75 ? 1 : 2;
  for (let draw = 0; draw < acute; draw++) found.add(drawFinding(random));
  // The real file lists findings alphabetically.
  return [...found].sort();
}

function drawFinding(random: Random): NihFinding {
  const total = NIH_FINDINGS.reduce((sum, finding) => sum + FINDING_WEIGHTS[finding], 0);
  let pick = random.next() * total;
  for (const finding of NIH_FINDINGS) {
    pick -= FINDING_WEIGHTS[finding];
    if (pick < 0) return finding;
  }
  return NIH_FINDINGS[NIH_FINDINGS.length - 1];
}
