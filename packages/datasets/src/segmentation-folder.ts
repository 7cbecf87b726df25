import { extname, join, posix } from 'node:path';
import { RadprobeError, type DatasetFactory, type SkippedItem, type Split } from '@radprobe/core';
import { BadItems } from './bad-items.js';
import { checkedSplitFractions, commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, splitFractionsOption, type CommonOptions, type SplitFractions } from './common-options.js';
import { classListSchema, segmentationClasses, type ClassListOption } from './label-classes.js';
import { checkMasks, maskedFileDataset, type MaskedItem } from './label-map-files.js';
import { FolderScan } from './listing.js';
import { sortById } from './ordering.js';
import { carveSplits, checkVolumeLeakage, groupOf, splitCounts } from './patient-splits.js';
import { findSplitFolders } from './split-folders.js';
import { splitFromName } from './split-names.js';

export interface SegmentationFolderOptions extends CommonOptions {
  /** Folder holding `images/` and `masks/` (and `classes.json` or `classes.csv` unless `classes` is given). */
  root: string;
  classes?: ClassListOption;
  /** File extensions of images (case-insensitive); masks are `.png`. */
  extensions?: string[];
  /** Without split folders: shares of volumes (or images) carved into VAL and TEST. */
  splitFractions?: SplitFractions;
}

const KIND = 'segmentation-folder';
const IMAGES = 'images';
const MASKS = 'masks';
const MASK_EXTENSION = '.png';
const DEFAULT_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

export const segmentationFolderOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'Folder holding images/ and masks/ (the same relative paths, masks as .png label maps).'),
    classes: classListSchema,
    extensions: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, default: DEFAULT_EXTENSIONS, description: 'Image file extensions.' },
    splitFractions: splitFractionsOption('Without split folders under images/: shares of volumes (subfolders) or images carved into VAL and TEST.'),
  },
  required: ['root'],
  additionalProperties: false,
};

/**
 * A user's 2D segmentation set as a folder pair: `images/<path>.<ext>` with its label map `masks/<path>.png` (the
 * same relative path and name, extension `.png`). `images/` either holds split folders (train, val or valid or
 * validation, test), which `masks/` mirrors, or no split folder at all: then splits are carved (`splitFractions`).
 * An image in a subfolder (below the split folder, if any) is a slice of the volume that subfolder names: its slices
 * stay in one split and make one volume of 3D Dice.
 */
export const segmentationFolderDataset: DatasetFactory<SegmentationFolderOptions> = {
  kind: KIND,
  optionsSchema: segmentationFolderOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const root = await existingPath(context.baseDir, options.root, 'root', 'directory');
    const fractions = checkedSplitFractions(options.splitFractions);
    const imagesRoot = await existingPath(root, IMAGES, 'root', 'directory').catch(() => missingFolder(root));
    const masksRoot = await existingPath(root, MASKS, 'root', 'directory').catch(() => missingFolder(root));
    const extensions = new Set((options.extensions ?? DEFAULT_EXTENSIONS).map((extension) => (extension.startsWith('.') ? extension : `.${extension}`).toLowerCase()));
    const notes: string[] = [];
    const leftOut: SkippedItem[] = [];
    const scan = new FolderScan();
    // A separate scan looks at the top level: the dataset's own scan reads every folder once.
    const top = await new FolderScan().entries(imagesRoot);
    const splitLayout = top.some((entry) => entry.isDirectory && splitFromName(entry.name) !== null);
    const units: Array<{ folder: string; split: Split | null }> = splitLayout ? await findSplitFolders(imagesRoot, KIND, notes, scan) : [{ folder: '', split: null }];

    const masks = new Set((await scan.files(masksRoot)).map((file) => file.relative));
    const used = new Map<string, string>();
    const bad = new BadItems(options.onBadItem ?? 'fail', name);
    const candidates: MaskedItem[] = [];
    for (const { folder, split } of units) {
      for (const file of await scan.files(folder ? join(imagesRoot, folder) : imagesRoot)) {
        if (file.relative.split('/').some((part) => part.startsWith('.'))) continue;
        const relative = folder ? `${folder}/${file.relative}` : file.relative;
        if (!extensions.has(extname(file.relative).toLowerCase())) {
          leftOut.push({ source: file.source, reason: `extension not in ${[...extensions].join(', ')}` });
          continue;
        }
        const maskName = `${relative.slice(0, relative.length - extname(relative).length)}${MASK_EXTENSION}`;
        const owner = used.get(maskName);
        if (!masks.has(maskName)) bad.add(file.source, `no mask ${join(masksRoot, maskName)}`);
        else if (owner !== undefined) bad.add(file.source, `its mask ${join(masksRoot, maskName)} is already the mask of ${owner}`);
        else {
          used.set(maskName, file.source);
          const volume = posix.dirname(file.relative);
          // Without split folders every image waits in TRAIN until the splits are carved below.
          candidates.push({ id: `${IMAGES}/${relative}`, split: split ?? 'train', ...(volume === '.' ? {} : { volume }), source: file.source, file: file.path, mask: join(masksRoot, maskName) });
        }
      }
    }
    for (const mask of masks) if (!used.has(mask) && !mask.split('/').some((part) => part.startsWith('.'))) leftOut.push({ source: join(masksRoot, mask), reason: `mask without an image in ${imagesRoot}` });
    const classes = await segmentationClasses(options.classes, root);
    const fine = await checkMasks(candidates, classes, decodeLimitsOf(context), bad);
    const usable = candidates.filter((_, index) => fine[index]);
    const skipped = [...bad.settle(), ...leftOut, ...scan.skipped];
    if (usable.length === 0) throw new RadprobeError(`dataset "${name}": no image of ${imagesRoot} has a usable mask in ${masksRoot}`, { file: root });
    if (!splitLayout) {
      const carved = carveSplits(usable.map(groupOf), fractions);
      for (const item of usable) item.split = carved.get(groupOf(item))!;
      const unit = usable.some((item) => item.volume !== undefined) ? 'volumes (subfolders of images/; images directly in it one by one)' : 'images';
      notes.push(`${KIND}: no split folders under images/; carved ${unit}: TEST ${fractions.test}, VAL ${fractions.val}, TRAIN the rest, in sha256 order of their ids`);
    }
    const items = sortById(usable);
    checkVolumeLeakage(items, name);
    notes.push(`${KIND}: segmentation, classes from ${classes.origin}`, `${KIND}: ${splitCounts(items)}`);
    return maskedFileDataset({ name, classes, items, skipped, notes }, decodeLimitsOf(context));
  },
};

function missingFolder(root: string): never {
  throw new RadprobeError(`option "root": ${root} needs an ${IMAGES}/ and a ${MASKS}/ folder`, { file: root, pointer: '/root' });
}
