import { readFile } from 'node:fs/promises';
import { RadprobeError, sha256 } from '@radprobe/core';
import { BadItems } from '../bad-items.js';
import { columnIndex, parseCsv } from '../csv-table.js';
import { orderSeries, type SlicePlacement } from '../dicom/series.js';
import { compareStrings } from '../ordering.js';
import { DicomwebClient, jsonNumbers, jsonString, type DicomJson } from './client.js';
import { checkedUid, InstanceStore } from './store.js';

/** A cohort by a CSV: one row per study, series or accession number, with a label. */
export interface CsvCohort {
  csv: string;
  /** Column of the class names (default `label`). */
  labelColumn?: string;
}

/** A cohort by QIDO-RS searches: every series a search finds gets its label. */
export interface QueryCohort {
  queries: Array<{
    label: string;
    modality?: string;
    /** Study Date range, `YYYYMMDD` (either end may be left open). */
    studyDate?: { from?: string; to?: string };
    studyDescription?: string;
    seriesDescription?: string;
  }>;
}

/** One instance of the cohort: where to retrieve it, and what ordering and splits read from its metadata. */
export interface CohortInstance extends SlicePlacement {
  study: string;
  series: string;
  sop: string;
  frames: number;
  modality?: string;
  /** Patient ID, kept in memory only: it groups items for splits and never reaches an output. */
  patientId?: string;
}

/** A series of the cohort, its instances in anatomical order (one instance: a 2D image). */
export interface CohortSeries {
  study: string;
  series: string;
  className: string;
  instances: CohortInstance[];
  orderedBy: 'position' | 'instance-number';
}

const TAG = {
  studyUid: '0020000D',
  seriesUid: '0020000E',
  sopUid: '00080018',
  patientId: '00100020',
  modality: '00080060',
  instanceNumber: '00200013',
  position: '00200032',
  orientation: '00200037',
  frames: '00280008',
};

const CSV_KEYS = ['StudyInstanceUID', 'SeriesInstanceUID', 'AccessionNumber'] as const;

/**
 * The series of a cohort with their labels: CSV rows are resolved through QIDO-RS (a series directly, a study to
 * its series, an accession number to its studies' series), queries through a series-level QIDO-RS search. Each
 * series' instances come from its `/metadata`. A CSV row that finds nothing is a bad item named by its line (never
 * by its accession number, which identifies a patient); a series given two labels is an error.
 */
export async function resolveCohort(
  client: DicomwebClient,
  cohort: CsvCohort | QueryCohort,
  csvPath: string | null,
  bad: BadItems,
): Promise<CohortSeries[]> {
  const labelled = new Map<string, { study: string; className: string; origin: string }>();
  const add = (study: string, series: string, className: string, origin: string) => {
    const earlier = labelled.get(series);
    if (earlier && earlier.className !== className) {
      throw new RadprobeError(`series ${series} has two labels: "${earlier.className}" (${earlier.origin}) and "${className}" (${origin})`, { file: csvPath ?? undefined });
    }
    labelled.set(series, { study, className, origin });
  };
  if ('csv' in cohort) {
    const file = csvPath!;
    const table = parseCsv(await readFile(file, 'utf8'), file);
    const labelColumn = cohort.labelColumn ?? 'label';
    const columns = columnIndex(table, file, [labelColumn], [...CSV_KEYS]);
    if (!CSV_KEYS.some((key) => key in columns)) {
      throw new RadprobeError(`${file}: needs a column ${CSV_KEYS.join(', ')} or both (header: ${table.header.join(',')})`, { file });
    }
    for (const { line, cells } of table.records) {
      const cell = (name: string) => (name in columns ? (cells[columns[name]] ?? '').trim() : '');
      const origin = `${file}:${line}`;
      const className = cell(labelColumn);
      if (className === '') {
        bad.add(origin, `empty "${labelColumn}"`);
        continue;
      }
      const found = await seriesOfRow(client, { study: cell('StudyInstanceUID'), series: cell('SeriesInstanceUID'), accession: cell('AccessionNumber') }, origin);
      if (found.length === 0) bad.add(origin, 'no series on the server matches this row');
      for (const { study, series } of found) add(study, series, className, origin);
    }
  } else {
    cohort.queries.forEach((query, index) => {
      if (Object.keys(query).length === 1) throw new RadprobeError(`option "cohort.queries[${index}]": give at least one of modality, studyDate, studyDescription, seriesDescription`, { pointer: `/cohort/queries/${index}` });
    });
    for (const [index, query] of cohort.queries.entries()) {
      const search: Record<string, string> = { includefield: TAG.studyUid };
      if (query.modality) search.Modality = query.modality;
      if (query.studyDate) search.StudyDate = `${query.studyDate.from ?? ''}-${query.studyDate.to ?? ''}`;
      if (query.studyDescription) search.StudyDescription = query.studyDescription;
      if (query.seriesDescription) search.SeriesDescription = query.seriesDescription;
      for (const { study, series } of uidPairs(await client.search('/series', search), client.url('/series', search))) {
        add(study, series, query.label, `query ${index + 1}`);
      }
    }
  }
  const result: CohortSeries[] = [];
  for (const series of [...labelled.keys()].sort(compareStrings)) {
    const { study, className } = labelled.get(series)!;
    const where = client.url(`/studies/${study}/series/${series}/metadata`);
    const instances = (await client.json(`/studies/${study}/series/${series}/metadata`)).map((object) => cohortInstance(object, study, series, where));
    if (instances.length === 0) {
      bad.add(where, 'series without instances');
      continue;
    }
    const ordered = orderSeries(instances, (instance) => instance, (instance) => instance.sop);
    result.push({ study, series, className, instances: ordered.slices, orderedBy: ordered.orderedBy });
  }
  return result;
}

async function seriesOfRow(client: DicomwebClient, row: { study: string; series: string; accession: string }, origin: string): Promise<Array<{ study: string; series: string }>> {
  if (row.series !== '') {
    const search: Record<string, string> = { SeriesInstanceUID: checkedUid(row.series, 'SeriesInstanceUID', origin), includefield: TAG.studyUid };
    if (row.study !== '') search.StudyInstanceUID = checkedUid(row.study, 'StudyInstanceUID', origin);
    return uidPairs(await client.search('/series', search), client.url('/series', search));
  }
  let studies: string[];
  if (row.study !== '') studies = [checkedUid(row.study, 'StudyInstanceUID', origin)];
  else if (row.accession !== '') {
    const found = await client.search('/studies', { AccessionNumber: row.accession });
    studies = found.map((object) => checkedUid(jsonString(object, TAG.studyUid), 'StudyInstanceUID', `${client.url('/studies')} (the studies of ${origin})`));
  } else return [];
  const pairs: Array<{ study: string; series: string }> = [];
  for (const study of studies) pairs.push(...uidPairs(await client.search(`/studies/${study}/series`), client.url(`/studies/${study}/series`), study));
  return pairs;
}

function uidPairs(objects: DicomJson[], where: string, study?: string): Array<{ study: string; series: string }> {
  return objects.map((object) => ({
    study: study ?? checkedUid(jsonString(object, TAG.studyUid), 'StudyInstanceUID', where),
    series: checkedUid(jsonString(object, TAG.seriesUid), 'SeriesInstanceUID', where),
  }));
}

function cohortInstance(object: DicomJson, study: string, series: string, where: string): CohortInstance {
  const instance: CohortInstance = { study, series, sop: checkedUid(jsonString(object, TAG.sopUid), 'SOPInstanceUID', where), frames: Math.max(1, jsonNumbers(object, TAG.frames)?.[0] ?? 1) };
  const modality = jsonString(object, TAG.modality);
  if (modality) instance.modality = modality;
  const patientId = jsonString(object, TAG.patientId);
  if (patientId) instance.patientId = patientId;
  const instanceNumber = jsonNumbers(object, TAG.instanceNumber)?.[0];
  if (instanceNumber !== undefined) instance.instanceNumber = instanceNumber;
  const position = jsonNumbers(object, TAG.position);
  if (position?.length === 3) instance.position = position as CohortInstance['position'];
  const orientation = jsonNumbers(object, TAG.orientation);
  if (orientation?.length === 6) instance.orientation = orientation as CohortInstance['orientation'];
  return instance;
}

/**
 * Retrieves instances through the store: an instance already stored is not asked for again; one that is not is
 * retrieved once (concurrent asks share the request) and stored. Only hashes stay in memory; bytes are read
 * from the store when an item is opened.
 */
export class InstanceRetriever {
  private readonly hashes = new Map<string, Promise<string>>();
  retrieved = 0;
  fromStore = 0;

  constructor(
    private readonly client: DicomwebClient,
    readonly store: InstanceStore,
  ) {}

  /** The sha256 of the instance's bytes, retrieving it first when the store lacks it. */
  hash(instance: CohortInstance): Promise<string> {
    let found = this.hashes.get(instance.sop);
    if (!found) {
      found = this.fetch(instance);
      this.hashes.set(instance.sop, found);
      // A failed retrieval is tried again by the next ask, not remembered.
      found.catch(() => this.hashes.delete(instance.sop));
    }
    return found;
  }

  async bytes(instance: CohortInstance): Promise<Uint8Array> {
    return this.store.read(await this.hash(instance), instance.sop);
  }

  private async fetch(instance: CohortInstance): Promise<string> {
    const stored = await this.store.get(instance.sop);
    if (stored) {
      this.fromStore++;
      return stored.hash;
    }
    const hash = await this.store.put(instance.sop, await this.client.instance(instance.study, instance.series, instance.sop));
    this.retrieved++;
    return hash;
  }
}

/** A salted sha256 (24 hex digits) standing for an identifier in outputs. */
export function saltedId(salt: string, kind: string, value: string): string {
  return sha256(`${kind}\u0000${salt}\u0000${value}`).slice(0, 24);
}
