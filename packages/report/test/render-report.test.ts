import { createHash } from 'node:crypto';
import { assertValidRunResults } from '@radprobe/core';
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
    expect(page).toContain('<td>k=20</td><td>test</td><td>top1</td><td class="value">0.563 [0.463, 0.675]</td><td>balancedAccuracy 0.700</td>');
    expect(page.match(/<canvas /g)).toHaveLength(6);
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

  it('shows the VAL grid as a coloured table too, with the reported head outlined', () => {
    // blocks=4, avgpool=true, lr=0.01 is the grid maximum (0.781, yellow, dark text); see charts.test.ts for the numbers.
    expect(page).toContain('<td class="selected" style="background:#fde725;color:#111111">0.781</td>');
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

  it('passes the chart data as JSON that parses back to the labels', () => {
    const [data] = scripts(page);
    expect(data.tag).toBe('<script type="application/json" id="radprobe-report-data">');
    const specs = JSON.parse(data.content) as ChartSpec[];
    expect(specs.map((spec) => [spec.kind, spec.canvasId])).toEqual([
      ['per-class', 'chart-1'],
      ['val-grid', 'chart-2'],
      ['seed-spread', 'chart-3'],
      ['seed-spread', 'chart-4'],
      ['seed-spread', 'chart-5'],
      ['fewshot-curve', 'chart-6'],
    ]);
    expect(specs[0].kind === 'per-class' && specs[0].classes).toEqual(['Atelectasis', hostileLabel, 'Effusion']);
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
