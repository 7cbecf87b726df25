import { extname } from 'node:path';
import { errorMessage, RadprobeError, sha256, type DatasetFactory, type DatasetItem, type DecodeLimits, type RawImage } from '@radprobe/core';
import {
  applyIntensitySteps,
  clipOptionSchema,
  describeIntensitySteps,
  resolveClip,
  type ClipOption,
  type IntensitySteps,
} from '@radprobe/core/engine';
import { BadItems } from './bad-items.js';
import { commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, type CommonOptions } from './common-options.js';
import { hashImageFile, readImageBytes } from './image-file.js';
import { FolderScan, type FilePath } from './listing.js';
import { openMatV73 } from './mat-v73.js';
import { compareStrings, sortById } from './ordering.js';
import { checkPatientLeakage, splitCounts } from './patient-splits.js';
import { evenlySpaced, positionalSplits } from './spaced-splits.js';

export interface BrainTumorMriOptions extends CommonOptions {
  /** Folder holding the figshare release's `1.mat … 3064.mat` (in subfolders or not). */
  root: string;
  /** Per-image percentile clip; default: the study's code, values > p95 → p95 and ≤ p5 → 0. */
  clip?: ClipOption;
}

const KIND = 'brain-tumor-mri';
/** `cjdata.label` 1, 2, 3 in the release's order. */
export const BRAIN_TUMOR_CLASSES = ['meningioma', 'glioma', 'pituitary'];
const STUDY_CLIP: ClipOption = { low: 5, high: 95, mode: 'zero-low' };
/** The release: 233 patients, of which the study put 70 in TEST and 50 in VAL. */
const PUBLISHED = { patients: 233, test: 70, val: 50 };

export const brainTumorMriOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'Folder with the figshare 1.mat … 3064.mat (MATLAB v7.3).'),
    clip: { ...clipOptionSchema, default: STUDY_CLIP },
  },
  required: ['root'],
  additionalProperties: false,
};

/**
 * The figshare Brain Tumor set (Cheng et al.): T1-weighted contrast-enhanced slices in MATLAB v7.3 files with
 * `cjdata/image`, `cjdata/label` (1..3) and `cjdata/PID`. Patients (sorted ids) are split by position: TEST 70,
 * VAL 50 of the rest, TRAIN the others, scaled for other patient counts.
 */
export const brainTumorMriDataset: DatasetFactory<BrainTumorMriOptions> = {
  kind: KIND,
  optionsSchema: brainTumorMriOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const root = await existingPath(context.baseDir, options.root, 'root', 'directory');
    const steps: IntensitySteps = { window: null, clip: resolveClip(options.clip ?? STUDY_CLIP, '/clip') };
    const bad = new BadItems(options.onBadItem ?? 'fail', name);
    const limits = decodeLimitsOf(context);
    const scan = new FolderScan();
    const found: Array<{ id: string; source: string; label: number; patient: string }> = [];
    const files = new Map<string, FilePath>();
    for (const { relative, path, source } of await scan.files(root)) {
      if (extname(relative).toLowerCase() !== '.mat') continue;
      try {
        const read = openMatV73(await readImageBytes(path), source, limits);
        const label = read('cjdata/label').values[0];
        if (label !== 1 && label !== 2 && label !== 3) throw new RadprobeError(`cjdata/label is ${label}, expected 1, 2 or 3`);
        const patient = String.fromCharCode(...Array.from(read('cjdata/PID').values)).replace(/\0/g, '').trim();
        if (patient === '') throw new RadprobeError('cjdata/PID is empty');
        found.push({ id: relative, source, label: label - 1, patient });
        files.set(relative, path);
      } catch (error) {
        bad.add(source, errorMessage(error).replace(`${source}: `, ''));
      }
    }
    const skipped = [...bad.settle(), ...scan.skipped];
    if (found.length === 0) throw new RadprobeError(`dataset "${name}": no readable .mat file under ${root}`, { file: root });
    const patients = [...new Set(found.map((item) => item.patient))].sort(compareStrings);
    const testCount = Math.round((patients.length * PUBLISHED.test) / PUBLISHED.patients);
    const valCount = Math.round((patients.length * PUBLISHED.val) / PUBLISHED.patients);
    const splits = positionalSplits(patients.length, (n) => evenlySpaced(n, testCount), (n) => evenlySpaced(n, valCount));
    const splitOf = new Map(patients.map((patient, index) => [patient, splits[index]]));
    const items: DatasetItem[] = sortById(found.map((item) => ({ ...item, split: splitOf.get(item.patient)! })));
    checkPatientLeakage(items, name);
    const scaled = patients.length === PUBLISHED.patients ? '' : ` (the release has ${PUBLISHED.patients}; counts scaled from ${PUBLISHED.test} / ${PUBLISHED.val})`;
    const notes = [
      `${KIND}: ${patients.length} patients sorted by PID; TEST ${testCount} and VAL ${valCount} (of the rest) evenly spaced, TRAIN the rest${scaled}`,
      `${KIND}: ${splitCounts(items)}; intensity ${describeIntensitySteps(steps)} per image`,
    ];
    return {
      name,
      task: 'multiclass',
      classes: BRAIN_TUMOR_CLASSES,
      items,
      skipped,
      notes,
      async open(item) {
        return applyIntensitySteps(await readImage(files.get(item.id)!, item.source, limits), steps);
      },
      async contentKey(item) {
        return sha256(`${await hashImageFile(files.get(item.id)!)}|${describeIntensitySteps(steps)}`);
      },
    };
  },
};

/** `cjdata/image` as a gray image: MATLAB's rows × columns, its column-major values transposed to row-major. */
async function readImage(path: FilePath, source: string, limits: DecodeLimits): Promise<RawImage> {
  const { shape, values } = openMatV73(await readImageBytes(path), source, limits)('cjdata/image');
  if (shape.length !== 2) throw new RadprobeError(`${source}: cjdata/image has shape [${shape.join(', ')}], expected rows × columns`, { file: source });
  const [height, width] = shape;
  const data = new Float32Array(width * height);
  for (let column = 0; column < width; column++) {
    for (let row = 0; row < height; row++) data[row * width + column] = values[column * height + row];
  }
  return { width, height, channels: 1, data };
}
