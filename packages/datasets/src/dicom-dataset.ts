import { join } from 'node:path';
import {
  RadprobeError,
  canonicalJson,
  errorMessage,
  printablePath,
  sha256,
  type DatasetFactory,
  type DatasetItem,
  type DecodeLimits,
  type Split,
} from '@radprobe/core';
import { windowOptionSchema } from '@radprobe/core/engine';
import { BadItems } from './bad-items.js';
import { singleLabelOptionProperties, singleLabelScheme, type SingleLabelOptions } from './class-labels.js';
import { commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, type CommonOptions } from './common-options.js';
import { decodeDicomFrame, resolveDicomWindow, type DicomWindowOption } from './dicom/image.js';
import { parseDicomFile, type DicomFile } from './dicom/parse.js';
import { orderSeries } from './dicom/series.js';
import { FolderScan, type FilePath, type FolderEntry, type ListedFile } from './listing.js';
import { compareStrings, sortById } from './ordering.js';
import { checkPatientLeakage, checkVolumeLeakage, splitCounts } from './patient-splits.js';
import { findSplitFolders } from './split-folders.js';
import { hashImageFile, readImageBytes } from './image-file.js';
import { itemLookup } from './item-lookup.js';

export interface DicomDatasetOptions extends CommonOptions, SingleLabelOptions {
  /** Folder holding `<split>/<class>/<DICOM file or series folder>`. */
  root: string;
  /** `header` (default): each file's first Window Center / Width; or a preset, bounds, level/width, or `none`. */
  window?: DicomWindowOption;
}

const KIND = 'dicom';
const WINDOW_POINTER = '/window';

export const dicomDatasetOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    root: pathOption('dir', 'Folder holding <split>/<class>/<DICOM file or series folder>.'),
    window: {
      description: `"header" (default): each file's Window Center / Width (first value), unwindowed when absent; else ${windowOptionSchema.description}`,
      default: 'header',
      anyOf: [{ enum: ['header'] }, ...(windowOptionSchema.anyOf as object[])],
    },
    ...singleLabelOptionProperties,
  },
  required: ['root'],
  additionalProperties: false,
};

/** Where an item's pixels are: a file and a frame of it. */
interface FrameLocation {
  file: FilePath;
  frame: number;
}

interface ParsedFile {
  path: FilePath;
  /** `path`, printable. */
  source: string;
  /** Path relative to the class folder, `/`-separated. */
  relative: string;
  dicom: DicomFile;
}

/**
 * DICOM files and series in `<root>/<split>/<class>/…`: a file in the class folder is a single image (each frame
 * of a multi-frame file an item); a folder in the class folder is a series (a folder holding several Series
 * Instance UIDs is several), its slices ordered along the slice normal. Items carry `patient` (Patient ID) and
 * `volume` (Series Instance UID); a patient or series found in two splits is an error.
 */
export const dicomDataset: DatasetFactory<DicomDatasetOptions> = {
  kind: KIND,
  optionsSchema: dicomDatasetOptionsSchema,
  async create(options, context) {
    const name = datasetName(options, KIND);
    const root = await existingPath(context.baseDir, options.root, 'root', 'directory');
    const windowOption = options.window ?? 'header';
    const window = resolveDicomWindow(windowOption, WINDOW_POINTER);
    const bad = new BadItems(options.onBadItem ?? 'fail', name);
    const limits = decodeLimitsOf(context);
    const scan = new FolderScan();
    const notes: string[] = [];
    const found: Array<{ item: Omit<DatasetItem, 'label'>; className: string; location: FrameLocation }> = [];
    const classNames = new Set<string>();
    for (const { folder, split } of await findSplitFolders(root, KIND, notes, scan)) {
      for (const entry of await scan.entries(join(root, folder))) {
        if (entry.name.startsWith('.')) continue;
        if (!entry.isDirectory) {
          bad.add(entry.source, 'not inside a class folder');
          continue;
        }
        classNames.add(entry.name);
        const scanned = await scanClassFolder({ folder: entry, idPrefix: `${folder}/${entry.name}`, split, bad, notes, scan, limits });
        found.push(...scanned.map((part) => ({ ...part, className: entry.name })));
      }
    }
    const skipped = [...bad.settle(), ...scan.skipped];
    if (classNames.size === 0) throw new RadprobeError(`dataset "${name}": no class folders under the split folders of ${root}`, { file: root });
    if (found.length === 0) throw new RadprobeError(`dataset "${name}": no readable DICOM image under ${root}`, { file: root });
    const scheme = singleLabelScheme([...classNames].sort(compareStrings), options);
    const locations = new Map<string, FrameLocation>();
    const items: DatasetItem[] = found.map(({ item, className, location }) => {
      locations.set(item.id, location);
      return { ...item, label: scheme.labelOf(className) };
    });
    sortById(items);
    checkPatientLeakage(items, name);
    checkVolumeLeakage(items, name, 'series');
    const windowText = window.kind === 'header' ? 'Window Center / Width of each file (unwindowed when absent)' : canonicalJson(windowOption);
    notes.push(...scheme.notes, `${KIND}: window ${windowText}`, `${KIND}: ${splitCounts(items)}`);
    const windowKey = canonicalJson(windowOption);
    const fileHashes = new Map<FilePath, Promise<string>>();
    const locate = itemLookup(name, locations);
    return {
      name,
      task: scheme.task,
      classes: scheme.classes,
      items,
      skipped,
      notes,
      async open(item) {
        const { file, frame } = locate(item);
        return decodeDicomFrame(parseDicomFile(await readImageBytes(file), printablePath(file), limits), frame, window);
      },
      async contentKey(item) {
        const { file, frame } = locate(item);
        let hash = fileHashes.get(file);
        if (!hash) {
          hash = hashImageFile(file);
          fileHashes.set(file, hash);
        }
        return sha256(canonicalJson({ file: await hash, frame, window: windowKey }));
      },
    };
  },
};

/** What scanning a class folder needs: the folder, and where to report. */
interface ClassFolderScan {
  folder: FolderEntry;
  idPrefix: string;
  split: Split;
  bad: BadItems;
  notes: string[];
  scan: FolderScan;
  limits: DecodeLimits;
}

/** The items of one class folder: its files as single images, its subfolders as series. */
async function scanClassFolder(request: ClassFolderScan): Promise<Array<{ item: Omit<DatasetItem, 'label'>; location: FrameLocation }>> {
  const { idPrefix, split, bad, notes, scan, limits } = request;
  const results: Array<{ item: Omit<DatasetItem, 'label'>; location: FrameLocation }> = [];
  for (const entry of await scan.entries(request.folder.path)) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isFile) {
      const parsed = await parseOrReport({ relative: entry.name, path: entry.path, source: entry.source }, bad, limits);
      if (parsed) results.push(...frameItems(parsed, `${idPrefix}/${entry.name}`, split));
      continue;
    }
    if (!entry.isDirectory) continue;
    const parsedFiles: ParsedFile[] = [];
    for (const file of await scan.files(entry.path)) {
      if (file.relative.split('/').some((part) => part.startsWith('.'))) continue;
      const parsed = await parseOrReport(file, bad, limits);
      if (parsed) parsedFiles.push(parsed);
    }
    results.push(...seriesItems(parsedFiles, `${idPrefix}/${entry.name}`, split, notes));
  }
  return results;
}

/** Each frame of a single file: the file's id, with `#frame-k` when it has several. */
function frameItems(parsed: ParsedFile, id: string, split: Split): Array<{ item: Omit<DatasetItem, 'label'>; location: FrameLocation }> {
  const { header } = parsed.dicom;
  const width = String(header.frames).length;
  return Array.from({ length: header.frames }, (_, frame) => {
    const suffix = header.frames > 1 ? `#frame-${String(frame + 1).padStart(width, '0')}` : '';
    return { item: { id: `${id}${suffix}`, split, ...identity(parsed), source: `${parsed.source}${suffix}` }, location: { file: parsed.path, frame } };
  });
}

/**
 * The slices of a series folder in anatomical order: `<folder>#slice-k` (with the Series Instance UID before the
 * slice number when the folder holds several series). Frames of a multi-frame file follow each other in the
 * file's place.
 */
function seriesItems(files: ParsedFile[], id: string, split: Split, notes: string[]): Array<{ item: Omit<DatasetItem, 'label'>; location: FrameLocation }> {
  const bySeries = new Map<string, ParsedFile[]>();
  for (const file of files) {
    const uid = file.dicom.header.seriesInstanceUid ?? '';
    bySeries.set(uid, [...(bySeries.get(uid) ?? []), file]);
  }
  const several = bySeries.size > 1;
  const results: Array<{ item: Omit<DatasetItem, 'label'>; location: FrameLocation }> = [];
  for (const uid of [...bySeries.keys()].sort(compareStrings)) {
    const series = orderSeries(bySeries.get(uid)!, (file) => file.dicom.header, (file) => file.relative);
    const seriesId = several ? `${id}#${uid || 'no-series-uid'}` : id;
    if (series.orderedBy === 'instance-number' && series.slices.length > 1) {
      notes.push(`${KIND}: ${seriesId}: slices ordered by Instance Number (Image Position / Orientation (Patient) missing)`);
    }
    const locations = series.slices.flatMap((file) => Array.from({ length: file.dicom.header.frames }, (_, frame) => ({ file, frame })));
    const width = String(locations.length).length;
    locations.forEach(({ file, frame }, index) => {
      const suffix = file.dicom.header.frames > 1 ? `#frame-${frame + 1}` : '';
      results.push({
        item: { id: `${seriesId}#slice-${String(index + 1).padStart(width, '0')}`, split, ...identity(file), source: `${file.source}${suffix}` },
        location: { file: file.path, frame },
      });
    });
  }
  return results;
}

function identity(parsed: ParsedFile): Pick<DatasetItem, 'patient' | 'volume'> {
  const { patientId, seriesInstanceUid } = parsed.dicom.header;
  return { ...(patientId === undefined ? {} : { patient: patientId }), ...(seriesInstanceUid === undefined ? {} : { volume: seriesInstanceUid }) };
}

async function parseOrReport(file: ListedFile, bad: BadItems, limits: DecodeLimits): Promise<ParsedFile | null> {
  const { path, source, relative } = file;
  try {
    return { path, source, relative, dicom: parseDicomFile(await readImageBytes(path), source, limits) };
  } catch (error) {
    bad.add(source, errorMessage(error).replace(`${source}: `, ''));
    return null;
  }
}
