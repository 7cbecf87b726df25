import { resolve } from 'node:path';
import { RadprobeError, canonicalJson, sha256, type Dataset, type DatasetContext, type DatasetFactory, type DatasetItem, type Split } from '@radprobe/core';
import { BadItems } from './bad-items.js';
import { singleLabelOptionProperties, singleLabelScheme, type SingleLabelOptions } from './class-labels.js';
import { checkedSplitFractions, commonOptionProperties, datasetName, decodeLimitsOf, existingPath, pathOption, splitFractionsOption, type CommonOptions, type SplitFractions } from './common-options.js';
import { decodeDicomFrame, resolveDicomWindow, type DicomWindowOption } from './dicom/image.js';
import { parseDicomFile } from './dicom/parse.js';
import { dicomDatasetOptionsSchema } from './dicom-dataset.js';
import { DicomwebClient, type DicomwebAuth } from './dicomweb/client.js';
import { InstanceRetriever, resolveCohort, saltedId, type CohortInstance, type CohortSeries, type CsvCohort, type QueryCohort } from './dicomweb/cohort.js';
import { InstanceStore } from './dicomweb/store.js';
import { compareStrings } from './ordering.js';
import { carveSplits, checkPatientLeakage, checkVolumeLeakage, groupOf, splitCounts } from './patient-splits.js';
import { itemLookup } from './item-lookup.js';

export interface DicomwebDatasetOptions extends CommonOptions, SingleLabelOptions {
  /** DICOMweb service root, e.g. `http://pacs:8042/dicom-web`. */
  url: string;
  /** Credentials are read from the environment variables named here, never written in the config. */
  auth?: DicomwebAuth;
  cohort: CsvCohort | QueryCohort;
  splitFractions?: SplitFractions;
  window?: DicomWindowOption;
  /** When set, item ids (and series and patient keys) in outputs are salted sha256 hashes instead of SOP Instance UIDs. */
  idSalt?: string;
  /** Folder of the retrieved instances (default: `dicomweb` in the run's cache folder). */
  store?: string;
  /** Requests in flight at once, at most. */
  concurrency?: number;
  retry?: { attempts?: number; backoffMs?: number; timeoutMs?: number };
}

const KIND = 'dicomweb';
const WINDOW_POINTER = '/window';
const VARIABLE = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Name of an environment variable.' };

export const dicomwebDatasetOptionsSchema = {
  type: 'object',
  properties: {
    ...commonOptionProperties,
    url: { type: 'string', pattern: '^https?://', description: 'DICOMweb service root (QIDO-RS and WADO-RS), e.g. http://localhost:8042/dicom-web.' },
    auth: {
      description: 'How requests authenticate; secrets come from the environment variables named here.',
      default: { type: 'none' },
      oneOf: [
        { type: 'object', properties: { type: { const: 'none' } }, required: ['type'], additionalProperties: false },
        { type: 'object', properties: { type: { const: 'basic' }, userVariable: VARIABLE, passwordVariable: VARIABLE }, required: ['type', 'userVariable', 'passwordVariable'], additionalProperties: false },
        { type: 'object', properties: { type: { const: 'bearer' }, tokenVariable: VARIABLE }, required: ['type', 'tokenVariable'], additionalProperties: false },
      ],
    },
    cohort: {
      description: 'A CSV of StudyInstanceUID / SeriesInstanceUID / AccessionNumber with a label column, or QIDO-RS searches each with a label.',
      oneOf: [
        {
          type: 'object',
          properties: { csv: pathOption('file', 'CSV: a label column and StudyInstanceUID, SeriesInstanceUID or AccessionNumber.'), labelColumn: { type: 'string', minLength: 1, default: 'label' } },
          required: ['csv'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: {
            queries: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                properties: {
                  label: { type: 'string', minLength: 1 },
                  modality: { type: 'string', minLength: 1 },
                  studyDate: {
                    type: 'object',
                    properties: { from: { type: 'string', pattern: '^[0-9]{8}$' }, to: { type: 'string', pattern: '^[0-9]{8}$' } },
                    minProperties: 1,
                    additionalProperties: false,
                  },
                  studyDescription: { type: 'string', minLength: 1 },
                  seriesDescription: { type: 'string', minLength: 1 },
                },
                required: ['label'],
                additionalProperties: false,
              },
            },
          },
          required: ['queries'],
          additionalProperties: false,
        },
      ],
    },
    splitFractions: splitFractionsOption('Shares of patients (Patient ID from the metadata; the series where absent) carved into VAL and TEST.'),
    window: dicomDatasetOptionsSchema.properties.window,
    idSalt: { type: 'string', minLength: 8, description: 'Item ids in outputs become salted sha256 hashes of the SOP Instance UIDs.' },
    store: { type: 'string', minLength: 1, description: 'Folder of the retrieved instances (default: dicomweb/ in the cache folder).' },
    concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 4, description: 'Requests in flight at once, at most.' },
    retry: {
      type: 'object',
      properties: {
        attempts: { type: 'integer', minimum: 1, maximum: 20, default: 4 },
        backoffMs: { type: 'integer', minimum: 0, maximum: 60000, default: 500 },
        timeoutMs: { type: 'integer', minimum: 100, maximum: 600000, default: 60000 },
      },
      additionalProperties: false,
      description: 'Tries per request on 429, 5xx, timeouts and refused connections, with exponential backoff.',
    },
    ...singleLabelOptionProperties,
  },
  required: ['url', 'cohort'],
  additionalProperties: false,
};

/** Where an item's pixels are: an instance and a frame of it. */
interface FrameLocation {
  instance: CohortInstance;
  frame: number;
}

/** A dicomweb dataset, and what `radprobe data pull` needs besides: each item's instance and series. */
export interface DicomwebCohort {
  dataset: Dataset;
  series: CohortSeries[];
  splitOf(series: CohortSeries): Split;
  retriever: InstanceRetriever;
  /** How a UID appears in outputs: itself, or its salted hash under `idSalt` (patients always hashed). */
  publicId(uid: string, kind: 'instance' | 'series' | 'patient'): string;
}

/**
 * Images and series from a PACS over DICOMweb: the cohort's series are found with QIDO-RS, their instances listed
 * with `/metadata`, and each instance retrieved once with WADO-RS into a content-addressed store (the feature
 * cache keys items by SOP Instance UID and those bytes). Decoding, slice order and windowing are the `dicom`
 * kind's. Splits carve patients (Patient ID from the metadata) as the csv kind carves them.
 */
export const dicomwebDataset: DatasetFactory<DicomwebDatasetOptions> = {
  kind: KIND,
  optionsSchema: dicomwebDatasetOptionsSchema,
  async create(options, context) {
    return (await openDicomwebCohort(options, context)).dataset;
  },
};

/** The cohort behind a dicomweb dataset; `environment` holds the auth variables (the process's by default). */
export async function openDicomwebCohort(options: DicomwebDatasetOptions, context: DatasetContext, environment: NodeJS.ProcessEnv = process.env): Promise<DicomwebCohort> {
  const name = datasetName(options, KIND);
  const fractions = checkedSplitFractions(options.splitFractions);
  const windowOption = options.window ?? 'header';
  const window = resolveDicomWindow(windowOption, WINDOW_POINTER);
  const limits = decodeLimitsOf(context);
  const storeFolder = options.store !== undefined ? resolve(context.baseDir, options.store) : context.cacheDir !== undefined ? resolve(context.cacheDir, KIND) : null;
  if (storeFolder === null) throw new RadprobeError('option "store": no cache folder to keep retrieved instances in; name one', { pointer: '/store' });
  const csvPath = 'csv' in options.cohort ? await existingPath(context.baseDir, options.cohort.csv, 'cohort/csv', 'file') : null;
  const retry = options.retry ?? {};
  const client = new DicomwebClient({
    baseUrl: options.url,
    auth: options.auth ?? { type: 'none' },
    concurrency: options.concurrency ?? 4,
    attempts: retry.attempts ?? 4,
    backoffMs: retry.backoffMs ?? 500,
    timeoutMs: retry.timeoutMs ?? 60_000,
    environment,
  });
  const bad = new BadItems(options.onBadItem ?? 'fail', name);
  const series = await resolveCohort(client, options.cohort, csvPath, bad);
  const skipped = bad.settle();
  if (series.length === 0) throw new RadprobeError(`dataset "${name}": the cohort matches no series on ${options.url}`, { file: csvPath ?? undefined });

  const salt = options.idSalt;
  const idOf = (uid: string, kind: 'instance' | 'series' | 'patient') => (salt === undefined && kind !== 'patient' ? uid : saltedId(salt ?? '', kind, uid));
  const scheme = singleLabelScheme([...new Set(series.map((entry) => entry.className))].sort(compareStrings), options);
  const locations = new Map<string, FrameLocation>();
  const seriesOfItem = new Map<string, CohortSeries>();
  const items: DatasetItem[] = [];
  for (const entry of series) {
    for (const instance of entry.instances) {
      const width = String(instance.frames).length;
      for (let frame = 0; frame < instance.frames; frame++) {
        const id = `${idOf(instance.sop, 'instance')}${instance.frames > 1 ? `#frame-${String(frame + 1).padStart(width, '0')}` : ''}`;
        const patient = instance.patientId === undefined ? {} : { patient: idOf(instance.patientId, 'patient') };
        items.push({ id, split: 'train', label: scheme.labelOf(entry.className), ...patient, volume: idOf(entry.series, 'series'), source: id });
        locations.set(id, { instance, frame });
        seriesOfItem.set(id, entry);
      }
    }
  }
  const carved = carveSplits(items.map(groupOf), fractions);
  for (const item of items) item.split = carved.get(groupOf(item))!;
  checkPatientLeakage(items, name);
  checkVolumeLeakage(items, name);

  const notes = [...scheme.notes, ...cohortNotes(series, idOf)];
  const unit = items.some((item) => item.patient !== undefined) ? 'patients (Patient ID; the series where absent)' : 'series';
  notes.push(`${KIND}: carved ${unit}: TEST ${fractions.test}, VAL ${fractions.val}, TRAIN the rest`);
  notes.push(`${KIND}: window ${window.kind === 'header' ? 'Window Center / Width of each instance (unwindowed when absent)' : canonicalJson(windowOption)}`);
  notes.push(`${KIND}: ${splitCounts(items)}`);

  const retriever = new InstanceRetriever(client, new InstanceStore(storeFolder));
  const windowKey = canonicalJson(windowOption);
  const locate = itemLookup(name, locations);
  const dataset: Dataset = {
    name,
    task: scheme.task,
    classes: scheme.classes,
    items,
    skipped,
    notes,
    async open(item) {
      const { instance, frame } = locate(item);
      const source = idOf(instance.sop, 'instance');
      return decodeDicomFrame(parseDicomFile(await retriever.bytes(instance), source, limits), frame, window);
    },
    async contentKey(item) {
      const { instance, frame } = locate(item);
      return sha256(canonicalJson({ sop: instance.sop, bytes: await retriever.hash(instance), frame, window: windowKey }));
    },
  };
  const splitOfSeries = new Map<CohortSeries, Split>();
  for (const item of items) splitOfSeries.set(seriesOfItem.get(item.id)!, item.split);
  return { dataset, series, splitOf: (entry) => splitOfSeries.get(entry)!, retriever, publicId: idOf };
}

/** Counts a reader needs and no identifier: series and instances per modality, instances per series. */
function cohortNotes(series: CohortSeries[], idOf: (uid: string, kind: 'series') => string): string[] {
  const modalities = new Map<string, { series: number; instances: number }>();
  for (const entry of series) {
    const modality = entry.instances[0].modality ?? 'unknown';
    const counts = modalities.get(modality) ?? { series: 0, instances: 0 };
    counts.series++;
    counts.instances += entry.instances.length;
    modalities.set(modality, counts);
  }
  const sizes = series.map((entry) => entry.instances.length).sort((a, b) => a - b);
  const perModality = [...modalities.keys()].sort(compareStrings).map((modality) => `${modality} ${modalities.get(modality)!.series} series / ${modalities.get(modality)!.instances} instances`);
  const notes = [
    `${KIND}: ${series.length} series, ${sizes.reduce((sum, size) => sum + size, 0)} instances (${perModality.join(', ')}); instances per series: min ${sizes[0]}, median ${sizes[Math.floor((sizes.length - 1) / 2)]}, max ${sizes[sizes.length - 1]}`,
  ];
  for (const entry of series) {
    if (entry.orderedBy === 'instance-number' && entry.instances.length > 1) {
      notes.push(`${KIND}: series ${idOf(entry.series, 'series')}: slices ordered by Instance Number (Image Position / Orientation (Patient) missing)`);
    }
  }
  return notes;
}
