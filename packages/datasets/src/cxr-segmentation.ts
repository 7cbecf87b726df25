import { extname, join } from 'node:path';
import { RadprobeError, type Dataset, type DatasetContext, type SkippedItem } from '@radprobe/core';
import { BadItems } from './bad-items.js';
import { datasetName, decodeLimitsOf, existingPath, type CommonOptions } from './common-options.js';
import { fileDataset, type FileItem } from './file-dataset.js';
import { readImageHeader } from './image-header.js';
import { existingFiles, FolderScan, type FolderEntry } from './listing.js';
import { labelMapFromMasks, type MaskLayer } from './mask-files.js';
import { splitCounts } from './patient-splits.js';
import { everyNth, positionalSplits } from './spaced-splits.js';

/** The published layout and split rule of a chest X-ray lung segmentation set. */
export interface CxrSegmentationLayout {
  kind: string;
  classes: string[];
  /** Masks of the image `CXR_png/<name>`, painted in order. */
  masksOf(root: string, name: string): MaskLayer[];
  /** Montgomery's masks are all published (a missing one is a bad item); Shenzhen's cover only some images. */
  missingMask: 'bad item' | 'left out';
  /** TEST every `test`-th image, VAL every `val`-th of the rest. */
  every: { test: number; val: number };
  publishedCount: number;
}

const IMAGE_FOLDER = 'CXR_png';

/**
 * `root/CXR_png/*.png` with per-image lung masks: images sorted by name, split by position (every n-th), a label
 * map per item from its masks.
 */
export async function cxrSegmentationDataset(layout: CxrSegmentationLayout, options: CommonOptions & { root: string }, context: DatasetContext): Promise<Dataset> {
  const name = datasetName(options, layout.kind);
  const root = await existingPath(context.baseDir, options.root, 'root', 'directory');
  const imageFolder = join(root, IMAGE_FOLDER);
  const scan = new FolderScan();
  const entries = await scan.entries(imageFolder).catch(() => {
    throw new RadprobeError(`option "root": ${root} has no ${IMAGE_FOLDER}/ folder`, { file: root, pointer: '/root' });
  });
  const bad = new BadItems(options.onBadItem ?? 'fail', name);
  const leftOut: SkippedItem[] = [];
  const candidates: FolderEntry[] = [];
  for (const entry of entries) {
    if (!entry.isFile || entry.name.startsWith('.')) continue;
    if (extname(entry.name).toLowerCase() === '.png') candidates.push(entry);
    else leftOut.push({ source: entry.source, reason: 'not a .png image' });
  }
  const existing = await existingFiles(candidates.flatMap((image) => layout.masksOf(root, image.name).map((mask) => mask.path)));
  const masks = new Map<string, MaskLayer[]>();
  const images: FolderEntry[] = [];
  for (const image of candidates) {
    const layers = layout.masksOf(root, image.name);
    const missing = layers.find((layer) => !existing.has(layer.path));
    if (!missing) {
      masks.set(image.name, layers);
      images.push(image);
    } else if (layout.missingMask === 'bad item') bad.add(image.source, `mask not found: ${missing.path}`);
    else leftOut.push({ source: image.source, reason: `no mask (${missing.path})` });
  }
  const skipped = [...bad.settle(), ...leftOut, ...scan.skipped];
  if (images.length === 0) throw new RadprobeError(`dataset "${name}": no image of ${imageFolder} has its masks`, { file: imageFolder });
  const splits = positionalSplits(images.length, (count) => everyNth(count, layout.every.test), (count) => everyNth(count, layout.every.val));
  const items: FileItem[] = images.map((image, index) => ({ id: `${IMAGE_FOLDER}/${image.name}`, split: splits[index], source: image.source, file: image.path }));
  const notes = [
    `${layout.kind}: ${images.length} images with masks, sorted by name${images.length === layout.publishedCount ? '' : ` (the published set has ${layout.publishedCount})`}; ` +
      `TEST every ${ordinal(layout.every.test)}, VAL every ${ordinal(layout.every.val)} of the rest, TRAIN the rest`,
    `${layout.kind}: ${splitCounts(items)}`,
  ];
  const limits = decodeLimitsOf(context);
  const dataset = fileDataset({ name, task: 'segmentation', classes: layout.classes, items, skipped, notes }, limits);
  return {
    ...dataset,
    async openMask(item) {
      const size = await readImageHeader(dataset.file(item));
      if (!size) throw new RadprobeError(`${item.source}: not a PNG or JPEG image`, { file: item.source });
      return labelMapFromMasks(masks.get(item.id.slice(IMAGE_FOLDER.length + 1))!, size, item.source, limits);
    },
  };
}

function ordinal(n: number): string {
  return `${n}${n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'}`;
}
