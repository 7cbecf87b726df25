import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellResult, RunResults } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { latestByCell, latestOf, readLatestByCell, type LatestCellResult } from '../../src/results/latest-by-cell.js';
import { latestTableHtml } from '../../src/results/latest-table-html.js';
import { cellDetail, cellSummary, decimalsFor, entryDetailsMarkdown, entryLensTitle, headlineRow } from '../../src/results/lens-text.js';
import { relativeTime } from '../../src/results/relative-time.js';
import { outputDirOf, readRunHistory, type FinishedRun } from '../../src/results/run-history.js';
import { reportForWebview } from '../../src/results/webview-html.js';

const ci = (low: number, high: number) => ({ low, high, confidence: 0.95, samples: 500, unit: 'item' as const });

function knnCell(backbone: string, dataset: string): CellResult {
  return {
    backbone,
    dataset,
    protocol: 'knn',
    protocolKind: 'knn',
    status: 'completed',
    durationMs: 10,
    result: {
      primaryMetric: 'auroc',
      notes: [],
      skipped: [],
      rows: [
        { setting: { k: 5 }, split: 'val', metrics: { auroc: { value: 0.6 } } },
        { setting: { k: 20 }, split: 'val', metrics: { auroc: { value: 0.8 } } },
        { setting: { k: 5 }, split: 'test', metrics: { auroc: { value: 0.9, ci: ci(0.85, 0.95) } } },
        { setting: { k: 20 }, split: 'test', metrics: { auroc: { value: 0.7149, ci: ci(0.6851, 0.7349) } } },
      ],
    },
  };
}

function results(cells: CellResult[], finishedAt = '2025-01-01T10:00:00Z'): RunResults {
  return { schemaVersion: 1, runId: 'r', name: 'n', startedAt: finishedAt, finishedAt, config: {}, provenance: {} as RunResults['provenance'], datasets: [], cells };
}

describe('headlineRow', () => {
  it('shows the TEST row of the setting that did best on VAL, not the best on TEST', () => {
    // VAL: k=20 (0.8) beats k=5 (0.6), so k=20's TEST row, although k=5 scores higher on TEST.
    expect(headlineRow(knnCell('b', 'd'))?.setting).toEqual({ k: 20 });
  });

  it('takes the only TEST row, or the best VAL row when there is no TEST row', () => {
    const cell = knnCell('b', 'd');
    cell.result!.rows = cell.result!.rows.filter((row) => row.split === 'val');
    expect(headlineRow(cell)?.setting).toEqual({ k: 20 });
  });
});

/** A cell's latest result as `latest-by-cell` gives it. */
const latest = (cell: CellResult, runId = '20250101-100000-aaaa', finishedAt = '2025-01-01T10:00:00Z'): LatestCellResult => ({ cell, runId, runDir: `/ws/results/${runId}`, finishedAt: new Date(finishedAt) });

describe('lens text', () => {
  it('reads "kNN · AUROC 0.71 [0.69, 0.73] · 2 min ago" for an entry of one cell', () => {
    // 0.7149 → 0.71, 0.6851 → 0.69, 0.7349 → 0.73 (two decimals); 10:02:30 is 150 s after 10:00:00 → 2 min.
    expect(entryLensTitle('kNN', [latest(knnCell('b', 'd'))], new Date('2025-01-01T10:02:30Z'))).toBe('kNN · AUROC 0.71 [0.69, 0.73] · 2 min ago');
    expect(entryLensTitle('kNN', [], new Date())).toBeUndefined();
  });

  it('shows one short lens for several cells: the best one, where it is, "+N more" with the failures, its age', () => {
    const better = knnCell('b3', 'd');
    better.result!.rows[3].metrics.auroc = { value: 0.8123, ci: ci(0.8, 0.83) };
    const failed: CellResult = { ...knnCell('b2', 'd'), status: 'failed', reason: 'out of memory', result: undefined };
    const cells = [latest(knnCell('b', 'd')), latest(failed), latest(better, '20250101-113000-bbbb', '2025-01-01T11:30:00Z')];
    expect(entryLensTitle('kNN', cells, new Date('2025-01-01T12:00:00Z'))).toBe('kNN · b3 × d: AUROC 0.81 [0.80, 0.83] · +2 more (1 failed) · 30 min ago');
    // Only failures: the first, its reason cut short.
    const reason = `backbone "b2" (kind onnx): ${'x'.repeat(100)}`;
    const title = entryLensTitle('kNN', [latest({ ...failed, reason })], new Date('2025-01-01T10:00:00Z'))!;
    expect(title).toMatch(/^kNN · failed: backbone "b2" \(kind onnx\): x+… · just now$/);
    expect(title.length).toBeLessThan(110);
  });

  it('rounds to the precision the interval supports, and never shows `selected=true`', () => {
    const cell = knnCell('b', 'd');
    cell.result!.rows[3] = { setting: { k: 20, selected: true }, split: 'test', metrics: { auroc: { value: 0.71234, ci: ci(0.7089, 0.7157) } } };
    // ± 0.0034: three decimals; the row the protocol marked as selected is the headline, whatever VAL says.
    expect(cellSummary(cell)).toBe('AUROC 0.712 [0.709, 0.716] (k=20)');
    cell.result!.rows[3].metrics.auroc = { value: 0.71234, ci: ci(0.52, 0.9) };
    expect(cellSummary(cell)).toBe('AUROC 0.7 [0.5, 0.9] (k=20)');
    expect(decimalsFor({ value: 0.5 })).toBe(2);
    expect(decimalsFor({ value: 0.5, ci: ci(0.5, 0.5) })).toBe(4);
  });

  it('details every cell with its metric, interval, run and age, in the tooltip and the hover table', () => {
    const failed: CellResult = { ...knnCell('b|2', 'd'), status: 'failed', reason: 'out of memory', result: undefined };
    const now = new Date('2025-01-01T12:00:00Z');
    expect(cellDetail(latest(knnCell('b', 'd')), now)).toBe('b × d: AUROC 0.71 [0.69, 0.73] (k=20) · run 20250101-100000-aaaa, 2 h ago');
    expect(entryDetailsMarkdown('kNN', [latest(knnCell('b', 'd')), latest(failed, '20250101-110000-cccc', '2025-01-01T11:00:00Z')], now).split('\n')).toEqual([
      '**kNN**: latest result of each cell',
      '',
      '| cell | result | run | age |',
      '| --- | --- | --- | --- |',
      '| b × d | AUROC 0.71 \\[0.69, 0.73\\] (k=20) | 20250101-100000-aaaa | 2 h ago |',
      '| b\\|2 × d | failed: out of memory | 20250101-110000-cccc | 1 h ago |',
    ]);
  });

  it('uses the kind label for an unnamed entry and leaves out an interval that is missing', () => {
    const cell: CellResult = {
      ...knnCell('b', 'd'),
      protocol: 'logreg',
      protocolKind: 'linear',
      result: { primaryMetric: 'top1', notes: [], skipped: [], rows: [{ setting: {}, split: 'test', metrics: { top1: { value: 0.5 } } }] },
    };
    expect(cellSummary(cell)).toBe('top-1 0.50');
    expect(entryLensTitle('logreg', [latest(cell)], new Date('2025-01-01T10:00:20Z'))).toBe('logreg · top-1 0.50 · just now');
  });

  it('never shows an interval built from too few resamples as an ordinary one, and says why', () => {
    const cell = knnCell('b', 'd');
    const unreliable = 'built from 59 of 500 resamples; the others had no positives of Effusion (400), no positives of Mass (41)';
    cell.result!.rows[3].metrics.auroc.ci = { ...ci(0.6851, 0.7349), defined: 59, unreliable };
    expect(cellSummary(cell)).toBe('AUROC 0.71 (interval unreliable: built from 59 of 500 resamples; the others had no positives of Effusion (400), …) (k=20)');
  });
});

describe('results merged across runs', () => {
  const run = (runId: string, cells: CellResult[]): FinishedRun => ({ dir: `/ws/results/${runId}`, results: { ...results(cells, `${runId.slice(0, 4)}-${runId.slice(4, 6)}-${runId.slice(6, 8)}T10:00:00Z`), runId } });

  it('keeps every cell after a run of one cell: each shows its latest result, with its run', () => {
    const full = run('20250101-100000-aaaa', [knnCell('b', 'd1'), knnCell('b', 'd2')]);
    const oneCell = run('20250102-100000-bbbb', [{ ...knnCell('b', 'd2'), status: 'failed', reason: 'out of memory', result: undefined }]);
    const merged = latestByCell([oneCell, full]);
    expect([...merged.entries()].map(([key, entry]) => `${key} ${entry.cell.status} ${entry.runId}`)).toEqual([
      'b|d2|knn failed 20250102-100000-bbbb',
      'b|d1|knn completed 20250101-100000-aaaa',
    ]);
    expect(merged.get('b|d1|knn')!.finishedAt.toISOString()).toBe('2025-01-01T10:00:00.000Z');
    // In the config's cell order, cells without a result left out.
    expect(latestOf(merged, [{ backbone: 'b', dataset: 'd1', protocol: 'knn' }, { backbone: 'x', dataset: 'd1', protocol: 'knn' }, { backbone: 'b', dataset: 'd2', protocol: 'knn' }]).map((entry) => entry.runId)).toEqual([
      '20250101-100000-aaaa',
      '20250102-100000-bbbb',
    ]);
  });

  it('reads a results folder newest first until every cell of the config is found, older runs than the history shows included', async () => {
    const output = join(mkdtempSync(join(tmpdir(), 'radprobe-latest-')), 'results');
    const write = (runId: string, cells: CellResult[]) => {
      mkdirSync(join(output, runId), { recursive: true });
      writeFileSync(join(output, runId, 'results.json'), JSON.stringify({ ...results(cells), runId }));
    };
    write('20250101-100000-aaaa', [knnCell('b', 'd1'), knnCell('b', 'd2')]);
    for (let day = 10; day < 32; day++) write(`202501${day}-100000-cccc`, [knnCell('b', 'd2')]);
    // Not a run: never read, because d1 and d2 are found before it is reached.
    mkdirSync(join(output, '20241231-100000-zzzz'));
    writeFileSync(join(output, '20241231-100000-zzzz', 'results.json'), '{ broken');
    const merged = await readLatestByCell(output, [{ backbone: 'b', dataset: 'd1', protocol: 'knn' }, { backbone: 'b', dataset: 'd2', protocol: 'knn' }, { backbone: 'b', dataset: 'd2', protocol: 'knn' }]);
    expect(Object.fromEntries([...merged].map(([key, entry]) => [key, entry.runId]))).toEqual({ 'b|d2|knn': '20250131-100000-cccc', 'b|d1|knn': '20250101-100000-aaaa' });
    // The history (20 runs) alone would have lost d1.
    expect((await readRunHistory(output)).some((entry) => entry.results.cells.some((cell) => cell.dataset === 'd1'))).toBe(false);
    // A cell the config no longer has is left out; an empty config reads nothing.
    expect([...(await readLatestByCell(output, [{ backbone: 'b', dataset: 'd1', protocol: 'knn' }])).keys()]).toEqual(['b|d1|knn']);
    expect((await readLatestByCell(output, [])).size).toBe(0);
  });

  it("renders the panel's latest-per-cell table, names escaped, the opened cells marked", () => {
    const odd = knnCell('<b>', 'd');
    const html = latestTableHtml([latest(knnCell('b', 'd')), latest(odd, '20250101-110000-bbbb', '2025-01-01T11:00:00Z')], {
      now: new Date('2025-01-01T12:00:00Z'),
      reportRunId: '20250101-100000-aaaa',
      selected: [{ backbone: '<b>', dataset: 'd', protocol: 'knn' }],
    });
    expect(html).toContain('<tr data-cell="b|d|knn"><td>b × d × knn</td><td>AUROC 0.71 [0.69, 0.73] (k=20)</td><td>20250101-100000-aaaa</td><td>2 h ago</td></tr>');
    expect(html).toContain('<tr data-cell="&lt;b&gt;|d|knn" class="selected"><td>&lt;b&gt; × d × knn</td>');
    expect(html).toContain('<p>Charts and tables below: run 20250101-100000-aaaa.</p>');
  });
});

describe('relativeTime', () => {
  it('rounds down to the largest whole unit', () => {
    const at = (iso: string) => relativeTime(new Date('2025-01-01T00:00:00Z'), new Date(iso));
    expect(at('2025-01-01T00:00:59Z')).toBe('just now');
    expect(at('2025-01-01T00:59:59Z')).toBe('59 min ago');
    expect(at('2025-01-01T23:00:00Z')).toBe('23 h ago');
    expect(at('2025-01-02T00:00:00Z')).toBe('1 day ago');
    expect(at('2025-01-04T12:00:00Z')).toBe('3 days ago');
  });
});

describe('run history', () => {
  it('reads finished runs newest first, passing over unfinished ones', async () => {
    const root = mkdtempSync(join(tmpdir(), 'radprobe-history-'));
    const output = outputDirOf(join(root, 'radprobe.json'), '{ "output": "out", /* jsonc */ }');
    expect(output).toBe(join(root, 'out'));
    expect(outputDirOf(join(root, 'radprobe.json'), '{}')).toBe(join(root, 'results'));
    const write = (runId: string, cells: CellResult[]) => {
      mkdirSync(join(output, runId), { recursive: true });
      writeFileSync(join(output, runId, 'results.json'), JSON.stringify({ ...results(cells), runId }));
    };
    write('20250101-100000-aaaa', [knnCell('b', 'd'), { ...knnCell('b', 'd'), protocol: 'linear' }]);
    write('20250102-100000-bbbb', [knnCell('b', 'd')]);
    mkdirSync(join(output, '20250103-100000-cccc'));
    const history = await readRunHistory(output);
    expect(history.map((run) => run.results.runId)).toEqual(['20250102-100000-bbbb', '20250101-100000-aaaa']);
    expect((await readRunHistory(output, 1)).map((run) => run.results.runId)).toEqual(['20250102-100000-bbbb']);
    expect(await readRunHistory(join(root, 'missing'))).toEqual([]);
  });

  it("passes over a killed run's staging folder, whatever it holds, and reads runs with failed cells", async () => {
    const output = join(mkdtempSync(join(tmpdir(), 'radprobe-history-')), 'results');
    const failed: CellResult = { ...knnCell('b2', 'd'), status: 'failed', reason: 'backbone "b2" (kind onnx, @acme/x@1.2.0): out of memory', result: undefined };
    const write = (folder: string, runId: string) => {
      mkdirSync(join(output, folder), { recursive: true });
      const failures = [{ backbone: 'b2', dataset: 'd', protocol: 'knn', plugin: '@acme/x@1.2.0', stage: 'extract', message: failed.reason }];
      writeFileSync(join(output, folder, 'results.json'), JSON.stringify({ ...results([knnCell('b', 'd'), failed]), runId, failed: failures }));
    };
    write('20250101-100000-aaaa', '20250101-100000-aaaa');
    write('.20250102-100000-bbbb.partial', '20250102-100000-bbbb');
    const history = await readRunHistory(output);
    expect(history.map((run) => run.results.runId)).toEqual(['20250101-100000-aaaa']);
    expect(history[0].results.cells.map(cellSummary)).toEqual(['AUROC 0.71 [0.69, 0.73] (k=20)', 'failed: backbone "b2" (kind onnx, @acme/x@1.2.0): out of memory']);
  });
});

describe('reportForWebview', () => {
  const report = `<!doctype html><html><head>
<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-AAA=&#39; &#39;sha256-BBB=&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">
<title>x</title></head><body><h1>&lt;b&gt;</h1>
<script type="application/json" id="radprobe-report-data">[]</script>
<script>LIBRARY</script>
<script>DRAW</script>
</body></html>`;

  it('keeps the report hashes, adds the nonce, allows no remote content, and themes before the charts are drawn', () => {
    const html = reportForWebview(report, { nonce: 'N0nce', cspSource: 'https://webview', scripts: true });
    const policy = /content="([^"]*)"/.exec(html)![1];
    expect(policy).toBe(
      "default-src 'none'; script-src 'nonce-N0nce' 'sha256-AAA=' 'sha256-BBB='; style-src https://webview 'unsafe-inline'; img-src https://webview data:; font-src https://webview",
    );
    expect(html.indexOf('<script>LIBRARY')).toBeLessThan(html.indexOf('<script nonce="N0nce">'));
    expect(html.indexOf('<script nonce="N0nce">')).toBeLessThan(html.indexOf('<script>DRAW'));
    expect(html).toContain('var(--vscode-editor-background)');
    expect(html).toContain('<h1>&lt;b&gt;</h1>');
  });

  it('runs no script at all when scripts are off (untrusted workspace)', () => {
    expect(reportForWebview(report, { nonce: 'n', cspSource: 'w', scripts: false })).toContain("script-src 'none';");
  });

  const cells = `<!doctype html><html><head>
<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-AAA=&#39;">
</head><body><header><h1>run</h1></header>
<nav id="contents"></nav>
<section id="cells">
<section class="cell" id="cell-1" data-cell="vit|nih|knn"><h3>vit × nih × knn</h3><canvas id="chart-1"></canvas></section>
<section class="cell" id="cell-2" data-cell="vit|a &amp; &lt;b&gt;|linear"><h3>vit × a &amp; &lt;b&gt; × linear</h3><canvas id="chart-2"></canvas></section>
</section>
<script type="application/json" id="radprobe-report-data">[]</script>
<script>DRAW</script>
</body></html>`;

  it('brings the selected cell\'s section, charts and all, to the top of the page, names matched as the report escapes them', () => {
    const html = reportForWebview(cells, { nonce: 'n', cspSource: 'w', scripts: true, cell: { backbone: 'vit', dataset: 'a & <b>', protocol: 'linear' } });
    expect(html).toContain('</header>\n<div class="selected-cell"><h2>Selected cell: vit × a &amp; &lt;b&gt; × linear</h2>\n<section class="cell" id="cell-2"');
    // Moved, not copied: one canvas per chart, so the report's script draws each once.
    expect(html.match(/id="chart-2"/g)).toHaveLength(1);
    expect(html.indexOf('id="chart-2"')).toBeLessThan(html.indexOf('id="chart-1"'));
  });

  it('puts the latest-per-cell table first, above the selected cell', () => {
    const html = reportForWebview(cells, { nonce: 'n', cspSource: 'w', scripts: true, cell: { backbone: 'vit', dataset: 'nih', protocol: 'knn' }, before: '<section class="latest-by-cell">$&</section>' });
    // `$&` stays as written: the markup is inserted, not read as a replacement pattern.
    expect(html).toContain('</header>\n<section class="latest-by-cell">$&</section>\n<div class="selected-cell">');
  });

  it('says so when the report has no section for the selected cell (e.g. it failed)', () => {
    const html = reportForWebview(cells, { nonce: 'n', cspSource: 'w', scripts: true, cell: { backbone: 'vit', dataset: 'nih', protocol: 'seg' } });
    expect(html).toContain('<p class="selected-cell-missing">The report has no charts for vit × nih × seg.</p>');
    expect(html.indexOf('id="chart-1"')).toBeLessThan(html.indexOf('id="chart-2"'));
  });

  it('refuses a page without radprobe policy', () => {
    expect(() => reportForWebview('<html></html>', { nonce: 'n', cspSource: 'w', scripts: true })).toThrow(/no Content-Security-Policy/);
  });
});
