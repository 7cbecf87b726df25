import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, type CompareOutput } from '../src/index.js';
import { runA, runB, writePcaImages, writeRun } from './compare-fixture.js';
import { hostileLabel } from './fixtures.js';

let root = '';
let output: CompareOutput;
let page = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'radprobe-compare-files-'));
  const a = await writeRun(join(root, 'a'), runA());
  await writePcaImages(a);
  const b = await writeRun(join(root, 'b'), runB());
  output = await compareRuns([a, b], { out: join(root, 'out'), title: `Study ${hostileLabel}` });
  page = await readFile(output.html, 'utf8');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('compareRuns', () => {
  it('writes compare.html, compare.md and compare.csv into the out folder', () => {
    expect(output).toEqual({ html: join(root, 'out', 'compare.html'), markdown: join(root, 'out', 'compare.md'), csv: join(root, 'out', 'compare.csv'), warnings: [] });
  });

  it('writes the matrix to Markdown with mean ± std and intervals, and the mean ranks', async () => {
    const markdown = await readFile(output.markdown, 'utf8');
    expect(markdown).toContain('# Study &lt;img src=x onerror=alert(1)&gt;');
    expect(markdown).not.toContain(hostileLabel);
    expect(markdown).toContain(
      '| backbone | cxr · linear (auroc) | cxr · knn (k=5) (auroc) | cxr · knn (k=20) (auroc) | lungs · seg (linear) (dice) | lungs · seg (unet) (dice) | cxr · fewshot (shots=1) (auroc) | cxr · fewshot (shots=4) (auroc) |',
    );
    expect(markdown).toContain('| small | 0.800 ± 0.010 [0.750, 0.850] (3 seeds) | 0.700 [0.650, 0.750] | 0.750 [0.700, 0.800] | 0.850 [0.800, 0.900] | 0.900 [0.850, 0.950] | 0.600 ± 0.000 (1 seed) | 0.700 ± 0.000 (1 seed) |');
    expect(markdown).toContain('| resnet | 0.800 [0.750, 0.850] | – | – | 0.700 [0.650, 0.750] | 0.880 [0.830, 0.930] | 0.650 ± 0.071 (2 seeds) | 0.700 ± 0.000 (1 seed) |');
    // Mean ranks as derived in compare-ranks.test.ts.
    expect(markdown).toContain('| small | 1.50 | 1.70 |');
    expect(markdown).toContain('| &lt;img src=x onerror=alert(1)&gt; | – | 4.00 |');
  });

  it('writes a CSV row per backbone with exact numbers per column', async () => {
    const lines = (await readFile(output.csv, 'utf8')).split('\r\n');
    expect(lines[0].split(',').slice(0, 7)).toEqual(['backbone', 'weights_sha256', 'cxr · linear [auroc] mean', 'cxr · linear [auroc] std', 'cxr · linear [auroc] seeds', 'cxr · linear [auroc] ci_low', 'cxr · linear [auroc] ci_high']);
    // Exact: the fixture's interval low 0.7 − 0.05 is 0.6499999999999999 in binary floating point.
    expect(lines[1].split(',').slice(0, 13)).toEqual(['small', 'a1'.repeat(32), '0.8', '0.01', '3', '0.75', '0.85', '', '0.7', '0', '1', String(0.7 - 0.05), '0.75']);
    expect(lines[3].split(',').slice(2, 14)).toEqual(['0.8', '0', '1', '0.75', String(0.8 + 0.05), '', '', '', '', '', '', '']);
    expect(lines).toHaveLength(6);
  });

  it('escapes every label from the runs in the page', () => {
    expect(page).not.toContain(hostileLabel);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // In the charts' JSON the same label travels with < and > escaped.
    expect(page).toContain('\\u003cimg src=x onerror=alert(1)\\u003e');
  });

  it('draws the ranking scatter, linear probing and decoder bars and the few-shot curve, and embeds the PCA images', () => {
    const specs = JSON.parse(page.match(/<script type="application\/json" id="radprobe-report-data">(.*?)<\/script>/s)![1]) as Array<{ kind: string }>;
    expect(specs.map((spec) => spec.kind)).toEqual(['rank-scatter', 'metric-bars', 'metric-bars', 'fewshot-curve']);
    expect(specs[0]).toMatchObject({ points: [{ label: 'small', x: 1.5 }, { label: 'base', x: 1.5, y: 1.5 }, { label: 'resnet', x: 3 }], worstRank: 4 });
    expect(specs[2]).toMatchObject({ categories: ['small', 'base', 'resnet'], series: [{ label: 'seg (linear)' }, { label: 'seg (unet)' }] });
    expect(specs[3]).toMatchObject({ series: [{ label: 'small' }, { label: 'resnet' }] });
    expect(page.match(/<img class="pca" src="data:image\/png;base64,/g)).toHaveLength(2);
    expect(page).toContain(`Not in the figure (values on one kind of task only): &lt;img src=x onerror=alert(1)&gt;.`);
  });
});
