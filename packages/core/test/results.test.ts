import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunConfig, type RunResults } from '../src/index.js';
import {
  assertValidRunResults,
  collectProvenance,
  formatResultsTable,
  gitHead,
  packageVersions,
  renderResultsCsv,
  renderResultsMarkdown,
  resultsJson,
  resultsSchema,
  writeRunResults,
} from '../src/engine/index.js';

function sampleResults(): RunResults {
  return {
    schemaVersion: 1,
    runId: '2024-05-01T10-00-00-abc123',
    name: 'smoke',
    startedAt: '2024-05-01T10:00:00.000Z',
    finishedAt: '2024-05-01T10:05:00.000Z',
    config: { seed: 0, protocols: [{ kind: 'knn', name: 'knn' }] },
    provenance: {
      configHash: 'a'.repeat(64),
      packages: { '@radprobe/core': '0.1.0', 'onnxruntime-node': '1.20.0' },
      gitCommit: null,
      seed: 0,
      node: 'v20.20.2',
      platform: 'linux 6.1.0 x64',
      cpu: 'Test CPU',
      cpus: 2,
      memoryBytes: 8 * 2 ** 30,
      hostname: 'box',
      backbones: [{ name: 'dinov2-small', description: 'dinov2-small (onnx)', weightsHash: 'b'.repeat(64), executionProvider: 'cpu' }],
    },
    datasets: [
      {
        name: 'chest',
        kind: 'image-folder',
        task: 'multiclass',
        classes: ['normal', 'Effusion, "left"'],
        counts: { train: 10, val: 2, test: 4 },
        patients: 8,
        skipped: [{ source: 'images/bad.png', reason: 'not a PNG' }],
        notes: ['VAL carved from TRAIN, 10 % of patients'],
      },
    ],
    cells: [
      {
        backbone: 'dinov2-small',
        dataset: 'chest',
        protocol: 'knn',
        protocolKind: 'knn',
        status: 'completed',
        durationMs: 1234,
        result: {
          primaryMetric: 'auroc',
          rows: [
            {
              setting: { k: 10 },
              split: 'test',
              metrics: {
                auroc: {
                  value: 0.8125,
                  ci: { low: 0.75, high: 0.875, confidence: 0.95, samples: 1000, unit: 'patient' },
                  perClass: { normal: 0.8, 'Effusion, "left"': null },
                  excludedClasses: [{ name: 'Effusion, "left"', reason: 'no positives in split' }],
                },
                top1: { value: 0.5 },
              },
            },
          ],
          notes: ['kNN with T = 0.07'],
          skipped: [{ setting: { k: 200 }, reason: 'only 10 training items' }],
        },
      },
      { backbone: 'dinov2-small', dataset: 'chest', protocol: 'seg', protocolKind: 'seg', status: 'skipped', reason: 'task multiclass not supported', durationMs: 0 },
    ],
  };
}

describe('results schema', () => {
  it('is the published schema file', async () => {
    const file = JSON.parse(await readFile(new URL('../schemas/results.schema.json', import.meta.url), 'utf8'));
    expect(resultsSchema).toEqual(file);
  });

  it("takes a worker's placement in the provenance, and names a wrong one's pointer", () => {
    const results = sampleResults();
    results.provenance.worker = { host: 'node7', engine: 'slurm', scheduler: { SLURM_JOB_ID: '1' }, cudaVisibleDevices: '0', nvidiaVisibleDevices: null };
    expect(() => assertValidRunResults(results)).not.toThrow();
    (results.provenance.worker as { engine: string }).engine = 'pbs';
    expect(() => assertValidRunResults(results)).toThrow('/provenance/worker/engine: must be equal to one of the allowed values');
  });

  it('rejects an invalid results object, naming the pointer', () => {
    const results = sampleResults();
    (results.cells[0].result!.rows[0].metrics.auroc as { value: unknown }).value = '0.8';
    expect(() => assertValidRunResults(results)).toThrow(
      'invalid run results (a radprobe bug): /cells/0/result/rows/0/metrics/auroc/value: must be number',
    );
    const nan = sampleResults();
    nan.cells[0].result!.rows[0].metrics.top1.value = Number.NaN;
    expect(() => assertValidRunResults(nan)).toThrow('/cells/0/result/rows/0/metrics/top1/value: must be number');
    const noReason = sampleResults();
    delete noReason.cells[1].reason;
    expect(() => assertValidRunResults(noReason)).toThrow("/cells/1: must have required property 'reason'");
  });
});

describe('writeRunResults', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'radprobe-results-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips results.json and writes the markdown and CSV beside it', async () => {
    const results = sampleResults();
    await writeRunResults(join(dir, 'run'), results);
    const written = JSON.parse(await readFile(join(dir, 'run', 'results.json'), 'utf8')) as RunResults;
    expect(written).toEqual(results);
    expect(() => assertValidRunResults(written)).not.toThrow();
    expect(await readFile(join(dir, 'run', 'results.md'), 'utf8')).toBe(renderResultsMarkdown(results));
    expect(await readFile(join(dir, 'run', 'results.csv'), 'utf8')).toBe(renderResultsCsv(results));
  });

  it('keeps arrays of numbers on one line and everything else as indented JSON that parses back unchanged', () => {
    const results = sampleResults();
    const row = results.cells[0].result!.rows[0];
    row.classification = { seed: 0, curves: [{ className: 'a\n[1,\n2]', positives: 1, negatives: 2, auroc: 0.5, averagePrecision: 0.5, roc: { x: [0, 0.5, 1], y: [0, -1e-7, 1] }, pr: { x: [], y: [1] } }] };
    const text = resultsJson(results);
    expect(JSON.parse(text)).toEqual(results);
    expect(text).toContain('"x": [0, 0.5, 1]');
    expect(text).toContain('"y": [0, -1e-7, 1]');
    expect(text).toContain('"className": "a\\n[1,\\n2]"');
    expect(text.startsWith('{\n  "schemaVersion": 1,\n')).toBe(true);
  });

  it('writes nothing for an invalid object', async () => {
    const results = sampleResults();
    results.datasets[0].counts.train = -1;
    await expect(writeRunResults(join(dir, 'invalid'), results)).rejects.toThrow('/datasets/0/counts/train: must be >= 0');
    await expect(readFile(join(dir, 'invalid', 'results.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe('renderResultsCsv', () => {
  it('writes one row per metric and per class, quoting as RFC 4180 asks', () => {
    expect(renderResultsCsv(sampleResults()).split('\r\n')).toEqual([
      'backbone,dataset,protocol,protocol_kind,setting,split,metric,class,value,ci_low,ci_high,confidence,unit,ci_unreliable,primary,warnings',
      'dinov2-small,chest,knn,knn,k=10,test,auroc,,0.8125,0.75,0.875,0.95,patient,,true,',
      'dinov2-small,chest,knn,knn,k=10,test,auroc,normal,0.8,,,,,,true,',
      'dinov2-small,chest,knn,knn,k=10,test,auroc,"Effusion, ""left""",,,,,,,true,',
      'dinov2-small,chest,knn,knn,k=10,test,top1,,0.5,,,,,,false,',
      '',
    ]);
  });

  it('keeps labels a spreadsheet would run as formulas as text, and numbers as numbers', () => {
    const results = sampleResults();
    const metric = results.cells[0].result!.rows[0].metrics.auroc;
    metric.perClass = { '=HYPERLINK("http://x","y")': 0.8, "=cmd|' /C calc'!A0": 0.7, '+1+1': 0.6, '@SUM(A1)': 0.5, '-2+3': 0.4, '\tTAB': 0.3 };
    metric.value = -0.25;
    results.cells[0].backbone = '=evil';
    const lines = renderResultsCsv(results).split('\r\n');
    expect(lines[1]).toBe("'=evil,chest,knn,knn,k=10,test,auroc,,-0.25,0.75,0.875,0.95,patient,,true,");
    expect(lines.slice(2, 8).map((line) => line.split(',auroc,')[1])).toEqual([
      `"'=HYPERLINK(""http://x"",""y"")",0.8,,,,,,true,`,
      `'=cmd|' /C calc'!A0,0.7,,,,,,true,`,
      `'+1+1,0.6,,,,,,true,`,
      `'@SUM(A1),0.5,,,,,,true,`,
      `'-2+3,0.4,,,,,,true,`,
      `'\tTAB,0.3,,,,,,true,`,
    ]);
  });

  it("says why an interval is unreliable, and carries the row's warnings", () => {
    const results = sampleResults();
    const row = results.cells[0].result!.rows[0];
    row.metrics.auroc.ci = { ...row.metrics.auroc.ci!, defined: 59, unreliable: 'built from 59 of 1000 resamples; the others had no positives of normal (941)' };
    row.warnings = ['not converged: the fit stopped on its iteration limit (100 Newton steps)'];
    const lines = renderResultsCsv(results).split('\r\n');
    expect(lines[1]).toBe(
      'dinov2-small,chest,knn,knn,k=10,test,auroc,,0.8125,0.75,0.875,0.95,patient,built from 59 of 1000 resamples; the others had no positives of normal (941),true,not converged: the fit stopped on its iteration limit (100 Newton steps)',
    );
  });
});

describe('renderResultsMarkdown', () => {
  it('has the results table, notes, a dataset section and the provenance', () => {
    const markdown = renderResultsMarkdown(sampleResults());
    expect(markdown).toContain(
      [
        '| backbone | dataset | protocol | setting | split | metric | value [low, high] | other metrics |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        '| dinov2-small | chest | knn | k=10 | test | auroc | 0.813 [0.750, 0.875] | top1 0.500 |',
        '| dinov2-small | chest | seg |  |  |  | skipped: task multiclass not supported |  |',
      ].join('\n'),
    );
    expect(markdown).toContain('### dinov2-small × chest × knn\n\n- kNN with T = 0.07\n- skipped k=200: only 10 training items');
    expect(markdown).toContain(
      [
        '## Dataset chest',
        '',
        '- kind: image-folder; task: multiclass',
        '- classes (2): normal, Effusion, "left"',
        '- items: train 10, val 2, test 4; patients: 8',
        '',
        'Notes:',
        '',
        '- VAL carved from TRAIN, 10 % of patients',
        '',
        'Skipped items (1):',
        '',
        '- images/bad.png: not a PNG',
      ].join('\n'),
    );
    expect(markdown).toContain(`- config hash: \`${'a'.repeat(64)}\``);
    expect(markdown).toContain('- git commit: none (the config is not in a git repository)');
    // 8 GiB of memory: 8 * 2^30 bytes / 2^30 = 8.0.
    expect(markdown).toContain('- cpu: Test CPU × 2; memory: 8.0 GiB');
    expect(markdown).toContain('| @radprobe/core | 0.1.0 |');
    expect(markdown).toContain(`| dinov2-small | dinov2-small (onnx) | ${'b'.repeat(64)} | cpu |`);
  });

  it('escapes pipes in table cells', () => {
    const results = sampleResults();
    results.cells[1].reason = 'a | b';
    expect(renderResultsMarkdown(results)).toContain('| skipped: a \\| b |');
  });

  it('shows HTML in names and labels as text, and pipes in names do not split cells', () => {
    const results = sampleResults();
    results.cells[0].backbone = '<img src=x onerror=alert(1)>|vit';
    results.datasets[0].classes = ['<script>alert(1)</script>', 'a & b'];
    const markdown = renderResultsMarkdown(results);
    expect(markdown).toContain('| &lt;img src=x onerror=alert(1)&gt;\\|vit | chest | knn |');
    expect(markdown).toContain('### &lt;img src=x onerror=alert(1)&gt;|vit × chest × knn');
    expect(markdown).toContain('- classes (2): &lt;script&gt;alert(1)&lt;/script&gt;, a &amp; b');
    expect(markdown).not.toMatch(/<script|<img/);
  });

  it('never shows an unreliable interval as an ordinary one, and shows row warnings', () => {
    const results = sampleResults();
    const row = results.cells[0].result!.rows[0];
    const unreliable = 'built from 59 of 1000 resamples; the others had no positives of normal (941)';
    row.metrics.auroc.ci = { ...row.metrics.auroc.ci!, defined: 59, unreliable };
    row.warnings = ['not converged'];
    const markdown = renderResultsMarkdown(results);
    expect(markdown).toContain(`| 0.813 (interval unreliable: ${unreliable}) | top1 0.500 | not converged |`);
    expect(markdown).not.toContain('[0.750, 0.875]');
    expect(formatResultsTable(results)).toContain(`0.813 (interval unreliable: ${unreliable})`);
  });
});

describe('formatResultsTable', () => {
  it('aligns columns with three decimals and the interval in brackets', () => {
    expect(formatResultsTable(sampleResults())).toBe(
      [
        'backbone      dataset  protocol  setting  split  metric  value [low, high]                       other metrics',
        '------------  -------  --------  -------  -----  ------  --------------------------------------  -------------',
        'dinov2-small  chest    knn       k=10     test   auroc   0.813 [0.750, 0.875]                    top1 0.500',
        'dinov2-small  chest    seg                               skipped: task multiclass not supported',
      ].join('\n'),
    );
  });
});

describe('the reported rows', () => {
  it('shows a cell\'s TEST rows and leaves its VAL selection grid to results.csv', () => {
    const results = sampleResults();
    const knn = results.cells[0].result!;
    knn.rows.unshift({ setting: { k: 10, lr: 0.1 }, split: 'val', metrics: { auroc: { value: 0.9 } } });
    const table = formatResultsTable(results);
    expect(table).not.toContain('lr=0.1');
    expect(table).toContain('k=10     test');
    expect(renderResultsCsv(results)).toContain('lr=0.1');
  });
});

describe('provenance', () => {
  const config = { plugins: [] } as unknown as RunConfig;

  it('records the machine, and no commit outside a repository', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'radprobe-nogit-'));
    const provenance = await collectProvenance({
      config,
      configHash: 'c'.repeat(64),
      baseDir: outside,
      seed: 7,
      backbones: [],
      plugins: [],
      packageVersions: { x: '1' },
    });
    expect(provenance).toMatchObject({ configHash: 'c'.repeat(64), seed: 7, gitCommit: null, packages: { x: '1' }, node: process.version });
    expect(provenance.cpus).toBeGreaterThan(0);
    expect(provenance.memoryBytes).toBeGreaterThan(0);
    await rm(outside, { recursive: true, force: true });
  });

  it('records the commit of the repository holding the config', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'radprobe-git-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' });
    git('init', '--quiet');
    git('commit', '--quiet', '--allow-empty', '-m', 'initial');
    const head = git('rev-parse', 'HEAD').trim();
    await mkdir(join(repo, 'configs'));
    expect(await gitHead(join(repo, 'configs'))).toBe(head);
    await rm(repo, { recursive: true, force: true });
  });

  it('reads versions of installed packages and leaves out missing ones', async () => {
    const core = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const ajv = JSON.parse(await readFile(new URL('../../../node_modules/ajv/package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await packageVersions(['@radprobe/core', 'ajv', '@radprobe/not-a-package'])).toEqual({
      '@radprobe/core': core.version,
      ajv: ajv.version,
    });
  });

  it('collects the default package list when none is given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radprobe-prov-'));
    await mkdir(dir, { recursive: true });
    const provenance = await collectProvenance({ config, configHash: 'c'.repeat(64), baseDir: dir, seed: 0, backbones: [], plugins: [] });
    expect(provenance.packages['@radprobe/core']).toBe('0.1.0');
    await rm(dir, { recursive: true, force: true });
  });
});
