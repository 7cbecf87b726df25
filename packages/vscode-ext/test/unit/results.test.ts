import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellResult, RunResults } from '@radprobe/core';
import { describe, expect, it } from 'vitest';
import { cellSummary, headlineRow, protocolLensTitles } from '../../src/results/lens-text.js';
import { relativeTime } from '../../src/results/relative-time.js';
import { newestRunWith, outputDirOf, readRunHistory } from '../../src/results/run-history.js';
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

describe('lens text', () => {
  it('reads "kNN · AUROC 0.71 [0.69, 0.73] · 2 min ago" for one cell', () => {
    // 0.7149 → 0.71, 0.6851 → 0.69, 0.7349 → 0.73 (two decimals); 10:02:30 is 150 s after 10:00:00 → 2 min.
    expect(protocolLensTitles(results([knnCell('b', 'd')]), 'knn', 'knn', new Date('2025-01-01T10:02:30Z'))).toEqual([
      'kNN · AUROC 0.71 [0.69, 0.73] (k=20) · 2 min ago',
    ]);
  });

  it('prefixes backbone × dataset when the protocol ran in several cells, and shows failures', () => {
    const failed: CellResult = { ...knnCell('b2', 'd'), status: 'failed', reason: 'out of memory', result: undefined };
    expect(protocolLensTitles(results([knnCell('b', 'd'), failed]), 'knn', 'knn', new Date('2025-01-01T12:00:00Z'))).toEqual([
      'kNN · b × d · AUROC 0.71 [0.69, 0.73] (k=20) · 2 h ago',
      'kNN · b2 × d · failed: out of memory · 2 h ago',
    ]);
    expect(protocolLensTitles(results([knnCell('b', 'd')]), 'linear', 'linear', new Date())).toEqual([]);
  });

  it('uses the entry name when it differs from the kind, and leaves out an interval that is missing', () => {
    const cell: CellResult = {
      ...knnCell('b', 'd'),
      protocol: 'logreg',
      protocolKind: 'linear',
      result: { primaryMetric: 'top1', notes: [], skipped: [], rows: [{ setting: {}, split: 'test', metrics: { top1: { value: 0.5 } } }] },
    };
    expect(cellSummary(cell)).toBe('top-1 0.50');
    expect(protocolLensTitles(results([cell]), 'logreg', 'linear', new Date('2025-01-01T10:00:20Z'))).toEqual(['logreg · top-1 0.50 · just now']);
  });

  it('never shows an interval built from too few resamples as an ordinary one, and says why', () => {
    const cell = knnCell('b', 'd');
    const unreliable = 'built from 59 of 500 resamples; the others had no positives of Effusion (400), no positives of Mass (41)';
    cell.result!.rows[3].metrics.auroc.ci = { ...ci(0.6851, 0.7349), defined: 59, unreliable };
    expect(cellSummary(cell)).toBe('AUROC 0.71 (interval unreliable: built from 59 of 500 resamples; the others had no positives of Effusion (400), …) (k=20)');
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
  it('reads finished runs newest first, passing over unfinished ones, and finds each protocol newest run', async () => {
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
    expect(newestRunWith(history, 'knn')?.results.runId).toBe('20250102-100000-bbbb');
    expect(newestRunWith(history, 'linear')?.results.runId).toBe('20250101-100000-aaaa');
    expect(newestRunWith(history, 'seg')).toBeUndefined();
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
    expect(protocolLensTitles(history[0].results, 'knn', 'knn', new Date('2025-01-01T10:00:20Z'))).toEqual([
      'kNN · b × d · AUROC 0.71 [0.69, 0.73] (k=20) · just now',
      'kNN · b2 × d · failed: backbone "b2" (kind onnx, @acme/x@1.2.0): out of memory · just now',
    ]);
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

  it('says so when the report has no section for the selected cell (e.g. it failed)', () => {
    const html = reportForWebview(cells, { nonce: 'n', cspSource: 'w', scripts: true, cell: { backbone: 'vit', dataset: 'nih', protocol: 'seg' } });
    expect(html).toContain('<p class="selected-cell-missing">The report has no charts for vit × nih × seg.</p>');
    expect(html.indexOf('id="chart-1"')).toBeLessThan(html.indexOf('id="chart-2"'));
  });

  it('refuses a page without radprobe policy', () => {
    expect(() => reportForWebview('<html></html>', { nonce: 'n', cspSource: 'w', scripts: true })).toThrow(/no Content-Security-Policy/);
  });
});
