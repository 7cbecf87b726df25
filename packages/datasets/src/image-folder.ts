import { extname, join } from 'node:path';
import { RadprobeError, type DatasetFactory, type SkippedItem, type Split } from '@radprobe/core';
import { singleLabelOptionProperties, singleLabelScheme, type SingleLabelOptions } from './class-labels.js';
import { commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, type CommonOptions } from './common-options.js';
import { fileDataset, type FileItem } from './file-dataset.js';
import { FolderScan, type FilePath } from './listing.js';
import { compareStrings, sortById } from './ordering.js';
import { splitCounts } from './patient-splits.js';
import { findSplitFolders } from './split-folders.js';

export interface ImageFolderOptions extends CommonOptions, SingleLabelOptions {
  /** Folder holding `<split>/<class>/<file>`. */
  root: string;
  /** File extensions that are images (case-insensitive). */
  extensions?: string[];
}

const KIND = 'image-folder';
const DEFAULT_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

export const imageFolderOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'Folder holding <split>/<class>/<file> (split: train, val or valid or validation, test).'),
    extensions: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, default: DEFAULT_EXTENSIONS, description: 'Image file extensions.' },
    ...singleLabelOptionProperties,
  },
  required: ['root'],
  additionalProperties: false,
};

/**
 * `<root>/<split>/<class>/<file>` (files may sit in subfolders of the class folder). Classes are the sorted
 * union of the class folders of all splits.
 */
export const imageFolderDataset: DatasetFactory<ImageFolderOptions> = {
  kind: KIND,
  optionsSchema: imageFolderOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const root = await existingPath(context.baseDir, options.root, 'root', 'directory');
    const extensions = new Set((options.extensions ?? DEFAULT_EXTENSIONS).map(normaliseExtension));
    const notes: string[] = [];
    const skipped: SkippedItem[] = [];
    const scan = new FolderScan();
    const splitFolders = await findSplitFolders(root, KIND, notes, scan);
    const found: Array<{ id: string; split: Split; className: string; source: string; file: FilePath }> = [];
    const classNames = new Set<string>();
    for (const { folder, split } of splitFolders) {
      for (const entry of await scan.entries(join(root, folder))) {
        if (!entry.isDirectory) {
          if (!entry.name.startsWith('.')) skipped.push({ source: entry.source, reason: 'not inside a class folder' });
          continue;
        }
        classNames.add(entry.name);
        for (const file of await scan.files(entry.path)) {
          if (file.relative.split('/').some((part) => part.startsWith('.'))) continue;
          if (!extensions.has(extname(file.relative).toLowerCase())) {
            skipped.push({ source: file.source, reason: `extension not in ${[...extensions].join(', ')}` });
            continue;
          }
          found.push({ id: `${folder}/${entry.name}/${file.relative}`, split, className: entry.name, source: file.source, file: file.path });
        }
      }
    }
    skipped.push(...scan.skipped);
    if (classNames.size === 0) throw new RadprobeError(`dataset "${name}": no class folders under the split folders of ${root}`, { file: root });
    const scheme = singleLabelScheme([...classNames].sort(compareStrings), options);
    const items: FileItem[] = sortById(found.map(({ id, split, className, source, file }) => ({ id, split, label: scheme.labelOf(className), source, file })));
    notes.push(...scheme.notes, `${KIND}: ${splitCounts(items)}`);
    return fileDataset({ name, task: scheme.task, classes: scheme.classes, items, skipped, notes }, decodeLimitsOf(context));
  },
};

function normaliseExtension(extension: string): string {
  const lower = extension.toLowerCase();
  return lower.startsWith('.') ? lower : `.${lower}`;
}
