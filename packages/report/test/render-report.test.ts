import { createHash } from 'node:crypto';
import { assertValidRunResults } from '@radprobe/core/engine';
import type { ChartSpec } from '../src/charts/chart-spec.js';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../src/index.js';
import { metricText } from '../src/metric-text.js';
import { fixtureResults, hostileLabel, hostileNote } from './fixtures.js';

const results = fixtureResults();

/** The policy of the page's meta element, its attribute value unescaped. */
function contentSecurityPolicy(text: string): string {
  return (/http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(text)?.[1] ?? '').replaceAll('&#39;', "'");
}
const page = renderReport(results);

/** Contents of every `<script …>…</script>` element, with its opening tag. */
function scripts(text: string): Array<{ tag: string; content: string }> {
  return [...text.matchAll(/(<script[^>]*>)([\s\S]*?)<\/script>/g)].map((match) => ({ tag: match[1], content: match[2] }));
}

describe('renderReport', () => {
  it('renders a fixture that satisfies the results schema', () => {
    expect(() => assertValidRunResults(results)).not.toThrow();
  });

  it('has the title, provenance, results table, charts per cell and datasets', () => {
    for (const id of ['results', 'cells', 'datasets', 'provenance']) expect(page).toContain(`<section id="${id}">`);
    expect(page).toContain('<title>study reproduction &lt;img src=x onerror=alert(1)&gt; · radprobe report</title>');
    expect(page).toContain(`<code>${'ab'.repeat(32)}</code>`);
    expect(page).toContain('<dd>train 113, val 20, test 28</dd>');
    expect(page).toContain('<td colspan="5">failed: out of memory</td>');
    expect(page).toContain(
      '<td>k=20</td><td>test</td><td>top1</td><td class="value">0.563 (interval unreliable: built from 700 of 1000 resamples; the others had no items of effusion (300))</td><td>balancedAccuracy 0.700</td>',
    );
    expect(page.match(/<canvas /g)).toHaveLength(10);
    expect(page).toContain('<section id="fewshot">');
  });

  it('lists the plugin packages the run used, first-party or not, with their folders', () => {
    expect(page).toContain(
      '<tr><td>@acme/radprobe-backbones</td><td>1.2.0</td><td>no</td><td>backbones: medsam</td><td><code>/opt/&lt;img src=x onerror=alert(1)&gt;/radprobe-backbones</code></td></tr>',
    );
    expect(page).toContain('<tr><td>@radprobe/protocol-linear</td><td>0.1.0</td><td>yes</td><td>protocols: linear</td>');
  });

  it('lists only TEST rows in the results table and shows mean ± std over seeds', () => {
    const table = page.slice(page.indexOf('<table class="results">'), page.indexOf('</table>'));
    expect(table).not.toContain('<td>val</td>');
    expect(table).toContain('<td class="value">0.800 ± 0.010 [0.780, 0.820] (3 seeds)</td>');
  });

  it('calls few-shot repetitions tries in the results table', () => {
    const table = page.slice(page.indexOf('<table class="results">'), page.indexOf('</table>'));
    expect(table).toContain('<td class="value">0.620 ± 0.020 (3 tries)</td>');
    expect(table).not.toMatch(/shots[^<]*<\/td><td>test<\/td><td>auroc<\/td><td class="value">[^<]*seeds/);
  });

  it('shows the VAL grid as a coloured table too, with the reported head outlined', () => {
    // blocks=4, avgpool=true, lr=0.01 is the grid maximum (0.781, yellow, dark text); see charts.test.ts for the numbers.
    expect(page).toContain('<td class="selected" style="background:#fde725;color:#000000">0.781</td>');
    expect(page).toContain('<td class="" style="background:#440154;color:#ffffff">0.701</td>');
  });

  it('escapes every string from the data: no hostile markup survives as markup', () => {
    expect(page).not.toContain(hostileLabel);
    expect(page).not.toContain('<img');
    expect(page).not.toContain(hostileNote);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('<li>&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;</li>');
    expect(page).toContain('the export has 4 blocks &lt;img src=x onerror=alert(1)&gt;');
    expect(scripts(page)).toHaveLength(3);
  });

  it('opens with a table of contents linking every section and each completed cell', () => {
    const contents = page.slice(page.indexOf('<nav id="contents"'), page.indexOf('</nav>'));
    const targets = [...contents.matchAll(/href="#([^"]+)"/g)].map((match) => match[1]);
    expect(targets).toEqual(['overview', 'results', 'cells', 'cell-1', 'cell-2', 'cell-4', 'cell-5', 'fewshot', 'datasets', 'provenance']);
    for (const id of targets) expect(page).toContain(`id="${id}"`);
    expect(contents).toContain('<a href="#cell-2">dinov2-vits14 × cxr-folder × knn</a>');
  });

  it('has a per-class table with split counts, AUROC intervals, a few-positives mark and unreliable intervals marked', () => {
    const cell = page.slice(page.indexOf('id="cell-1"'), page.indexOf('id="cell-2"'));
    const table = cell.slice(cell.indexOf('<table class="per-class">'), cell.indexOf('</table>'));
    expect(table).toContain('<th>TRAIN pos / neg</th><th>VAL pos / neg</th><th>TEST pos / neg</th><th>AUROC [95 % CI]</th><th>AP</th>');
    // Atelectasis: 40 of 113 TRAIN, 7 of 20 VAL, 12 of 28 TEST positives.
    expect(table).toContain('Atelectasis</th><td class="count">40 / 73</td><td class="count">7 / 13</td><td class="count">12 / 16</td><td class="value">0.750<span class="interval"> [0.600, 0.880]</span></td><td class="value">0.700</td><td></td></tr>');
    // The hostile class: 3 TEST positives (marked) and an unreliable interval (grey, dagger, reason on hover).
    expect(table).toContain('<tr class="few-positives">');
    expect(table).toContain('<span class="mark" title="fewer than 10 TEST positives">⚠ 3 TEST positives</span>');
    expect(table).toContain('<span class="unreliable" title="interval unreliable: built from 612 of 1000 resamples; the others had no positives of &lt;img src=x onerror=alert(1)&gt; (388)"> [0.700, 1.000]&nbsp;†</span>');
    // Effusion: no TEST positives, no curve.
    expect(table).toContain('Effusion</th><td class="count">2 / 111</td><td class="count">0 / 20</td><td class="count">0 / 28</td><td class="value"><span class="undefined">–</span></td>');
  });

  it('shows a multiclass cell\'s confusion matrix as counts and row shares, and per-class sensitivity, specificity and PPV', () => {
    const cell = page.slice(page.indexOf('id="cell-2"'), page.indexOf('id="cell-4"'));
    expect(cell).toContain('<caption>Counts</caption>');
    expect(cell).toContain('<caption>Row-normalised (share of each true class)</caption>');
    // normal: 30 right, 10 called effusion (0.75 and 0.25 of its 40 items).
    expect(cell).toMatch(/<th class="name">normal<\/th><td class="diagonal" style="[^"]*">30<\/td><td class="" style="[^"]*">10<\/td>/);
    expect(cell).toMatch(/<th class="name">normal<\/th><td class="diagonal" style="[^"]*">0\.75<\/td><td class="" style="[^"]*">0\.25<\/td>/);
    expect(cell).toContain('<th>sensitivity</th><th>specificity</th><th>PPV</th>');
    expect(cell).toContain('<td class="value">0.750<span class="interval"> [0.600, 0.870]</span></td><td class="value">0.800<span class="interval"> [0.670, 0.910]</span></td><td class="value">0.789</td>');
    // PPV undefined for effusion: a dash, not a number.
    expect(cell).toContain('<td class="value"><span class="undefined">–</span></td><td></td></tr>');
    // kNN draws its metric against k, and the linear grid is drawn once, as the coloured table.
    expect(cell).toContain('TEST top1 against k: every k is reported on TEST, none chosen');
    expect(page.match(/<table class="grid">/g)).toHaveLength(1);
  });

  it('passes the chart data as JSON that parses back to the labels', () => {
    const [data] = scripts(page);
    expect(data.tag).toBe('<script type="application/json" id="radprobe-report-data">');
    const specs = JSON.parse(data.content) as ChartSpec[];
    expect(specs.map((spec) => [spec.kind, spec.canvasId])).toEqual([
      ['metric-bars', 'chart-1'],
      ['metric-bars', 'chart-2'],
      ['class-curves', 'chart-3'],
      ['class-curves', 'chart-4'],
      ['per-class', 'chart-5'],
      ['seed-spread', 'chart-6'],
      ['setting-curve', 'chart-7'],
      ['seed-spread', 'chart-8'],
      ['seed-spread', 'chart-9'],
      ['fewshot-curve', 'chart-10'],
    ]);
    const roc = specs[2];
    // Each class in its colour, the legend with its exact AUROC; Effusion (no TEST positives) has no curve.
    expect(roc.kind === 'class-curves' && roc.lines.map((line) => [line.label, line.colour])).toEqual([
      ['Atelectasis (AUROC 0.750)', '#0072b2'],
      [`${hostileLabel} (AUROC 0.900)`, '#e69f00'],
    ]);
    const overview = specs[1];
    expect(overview.kind === 'metric-bars' && overview.categories).toEqual(['dinov2-vits14 × cxr-folder × knn (k=5)', 'dinov2-vits14 × cxr-folder × knn (k=10)', 'dinov2-vits14 × cxr-folder × knn (k=20)']);
    expect(overview.kind === 'metric-bars' && overview.series[0].bars.map((bar) => bar?.unreliable ?? false)).toEqual([false, false, true]);
    expect(specs[4].kind === 'per-class' && specs[4].classes).toEqual(['Atelectasis', hostileLabel, 'Effusion']);
  });

  it('loads nothing from anywhere: no URL in src or href, no remote fonts, and a policy that forbids fetching', () => {
    expect(page).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
    expect(style).not.toMatch(/@import|@font-face|url\(/i);
    expect(contentSecurityPolicy(page)).toMatch(/^default-src 'none'; script-src 'sha256-/);
  });

  it('lets exactly its own inline scripts run, by hash', () => {
    const allowed = [...contentSecurityPolicy(page).matchAll(/'sha256-([^']+)'/g)].map((match) => match[1]);
    const executable = scripts(page).filter((script) => script.tag === '<script>');
    expect(executable[0].content).toContain('Chart.js v4');
    expect(allowed).toEqual(executable.map((script) => createHash('sha256').update(script.content, 'utf8').digest('base64')));
  });

  it('is deterministic', () => {
    expect(renderReport(fixtureResults())).toBe(page);
  });
});

describe('metricText', () => {
  it('shows a single run as value and interval, several seeds as mean ± std', () => {
    expect(metricText({ value: 0.8124, ci: { low: 0.79, high: 0.8333, confidence: 0.95, samples: 10, unit: 'item' } })).toBe('0.812 [0.790, 0.833]');
    // One seed has no spread to show.
    expect(metricText({ value: 0.5, seeds: { seeds: [7], values: [0.5], mean: 0.5, std: 0, intervals: [null] } })).toBe('0.500 (1 seed)');
    expect(metricText({ value: 0.5, seeds: { seeds: [7], values: [0.5], mean: 0.5, std: 0, intervals: [null] } }, 'try')).toBe('0.500 (1 try)');
    expect(metricText({ value: 0.6, seeds: { seeds: [0, 1], values: [0.5, 0.7], mean: 0.6, std: 0.1414, intervals: [null, null] } }, 'try')).toBe('0.600 ± 0.141 (2 tries)');
  });
});
