import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, type CompareOutput } from '../src/index.js';
import { runA, runB, runC, writePcaImages, writeRun } from './compare-fixture.js';
import { hostileLabel } from './fixtures.js';

let root = '';
let output: CompareOutput;
let page = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'radprobe-compare-files-'));
  const a = await writeRun(join(root, 'a'), runA());
  await writePcaImages(a);
  const b = await writeRun(join(root, 'b'), runB());
  const c = await writeRun(join(root, 'c'), runC());
  output = await compareRuns([a, b, c], { out: join(root, 'out'), title: `Study ${hostileLabel}` });
  page = await readFile(output.html, 'utf8');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('compareRuns', () => {
  it('writes compare.html, compare.md and compare.csv into the out folder', () => {
    expect(output).toEqual({ html: join(root, 'out', 'compare.html'), markdown: join(root, 'out', 'compare.md'), csv: join(root, 'out', 'compare.csv'), warnings: [] });
  });

  it('writes the matrix to Markdown grouped by dataset, with mean ± std over seeds or tries and intervals', async () => {
    const markdown = await readFile(output.markdown, 'utf8');
    expect(markdown).toContain('# Study &lt;img src=x onerror=alert(1)&gt;');
    expect(markdown).not.toContain(hostileLabel);
    expect(markdown).toContain(
      '| backbone | cxr · linear (auroc) | cxr · knn (k=5) (auroc) | cxr · knn (k=20) (auroc) | cxr · fewshot (shots=1) (auroc) | cxr · fewshot (shots=4) (auroc) | cxr · peft (lora) (auroc) | cxr · peft (full) (auroc) | cxr · peft (bitfit) (auroc) | cxr · peft (frozen) (auroc) | lungs · seg (linear) (dice) | lungs · seg (unet) (dice) |',
    );
    // A single try shows no "± 0.000"; few-shot repetitions are tries.
    expect(markdown).toContain('| small | 0.800 ± 0.010 [0.750, 0.850] (3 seeds) | 0.700 [0.650, 0.750] | 0.750 [0.700, 0.800] | 0.600 (1 try) | 0.700 (1 try) | 0.860 [0.810, 0.910] |');
    expect(markdown).toContain('| resnet | 0.800 [0.750, 0.850] | – | – | 0.650 ± 0.071 (2 tries) | 0.700 (1 try) | – | – | – | – | 0.700 [0.650, 0.750] | 0.880 [0.830, 0.930] |');
    expect(markdown).not.toContain('± 0.000');
  });

  it('writes the fine-tuning table to Markdown: mode × backbone with learning rate, trainable parameters and the metric', async () => {
    const markdown = await readFile(output.markdown, 'utf8');
    expect(markdown).toContain(
      [
        '## Fine-tuning: cxr × peft',
        '',
        'Per backbone and adaptation mode: the backbone learning rate chosen on VAL, the parameters that trained (head included) and their share, all parameters, and the TEST primary metric with its interval.',
        '',
        '| backbone | mode | backbone lr | trainable parameters | all parameters | TEST auroc |',
        '| --- | --- | --- | --- | --- | --- |',
        // 770 / 1,000,770 = 0.077 %; 1,000,770 = 1.0 M (100 %); 30,770 = 30.8 k (3.07 % → 3.1 %); 2,270 = 2.3 k (0.23 %).
        '| small | frozen (reference) | – | 770 (0.077 %) | 1000770 | 0.780 [0.730, 0.830] |',
        '| small | full | 0.01 | 1.0 M (100.0 %) | 1000770 | 0.840 [0.790, 0.890] |',
        '| small | LoRA | 0.3 | 30.8 k (3.1 %) | 1000770 | 0.860 [0.810, 0.910] |',
        '| small | BitFit | 3 | 2.3 k (0.23 %) | 1000770 | 0.800 [0.750, 0.850] |',
        // 770 / 4,000,770 = 0.019 %; 60,770 = 1.52 % → 1.5 %; 4,770 = 0.12 %.
        '| base | frozen (reference) | – | 770 (0.019 %) | 4000770 | 0.880 [0.830, 0.930] |',
        '| base | full | 0.03 | 4.0 M (100.0 %) | 4000770 | 0.860 [0.810, 0.910] |',
        '| base | LoRA | 1 | 60.8 k (1.5 %) | 4000770 | 0.910 [0.860, 0.960] |',
        '| base | BitFit | 1 | 4.8 k (0.12 %) | 4000770 | 0.890 [0.840, 0.940] |',
      ].join('\n'),
    );
  });

  it('writes the ranking to Markdown: what each dataset × protocol counted with, and the mean ranks', async () => {
    const markdown = await readFile(output.markdown, 'utf8');
    expect(markdown).toContain('| cxr | knn | classification | counted with best setting per backbone |');
    expect(markdown).toContain('| cxr | peft | classification | counted with best setting per backbone |');
    expect(markdown).toContain('| lungs | seg | segmentation | counted with best setting per backbone |');
    // As compare-ranks.test.ts derives them, plus peft (best mode per backbone: S 0.86, B 0.91, so B 1, S 2):
    // S: segmentation 2, classification (2.5 + 1.5 + 1.5 + 2) / 4 = 1.875; B: 1 and (1 + 1.5 + 1) / 3 = 1.17.
    expect(markdown).toContain('| small | 2.00 | 1.88 |');
    expect(markdown).toContain('| base | 1.00 | 1.17 |');
    expect(markdown).toContain('| &lt;img src=x onerror=alert(1)&gt; | – | 4.00 |');
  });

  it('writes a CSV row per backbone with exact numbers per column, parameters of fine-tuning columns and the mean ranks', async () => {
    const lines = (await readFile(output.csv, 'utf8')).split('\r\n');
    const header = lines[0].split(',');
    expect(header.slice(0, 7)).toEqual(['backbone', 'weights_sha256', 'cxr · linear [auroc] mean', 'cxr · linear [auroc] std', 'cxr · linear [auroc] seeds', 'cxr · linear [auroc] ci_low', 'cxr · linear [auroc] ci_high']);
    expect(header).toContain('cxr · fewshot (shots=1) [auroc] tries');
    const lora = header.indexOf('cxr · peft (lora) [auroc] mean');
    expect(header.slice(lora, lora + 8)).toEqual(['mean', 'std', 'seeds', 'ci_low', 'ci_high', 'ci_unreliable', 'trainable_parameters', 'total_parameters'].map((field) => `cxr · peft (lora) [auroc] ${field}`));
    expect(header.slice(-2)).toEqual(['mean rank segmentation (each dataset × protocol once at its best setting per backbone)', 'mean rank classification (each dataset × protocol once at its best setting per backbone)']);
    // Exact: the fixture's interval low 0.7 − 0.05 is 0.6499999999999999 in binary floating point.
    expect(lines[1].split(',').slice(0, 13)).toEqual(['small', 'a1'.repeat(32), '0.8', '0.01', '3', '0.75', '0.85', '', '0.7', '0', '1', String(0.7 - 0.05), '0.75']);
    expect(lines[1].split(',').slice(lora, lora + 8)).toEqual(['0.86', '0', '1', String(0.86 - 0.05), String(0.86 + 0.05), '', '30770', '1000770']);
    expect(lines[1].split(',').slice(-2)).toEqual(['2', '1.875']);
    expect(lines[3].split(',').slice(2, 14)).toEqual(['0.8', '0', '1', '0.75', String(0.8 + 0.05), '', '', '', '', '', '', '']);
    expect(lines[3].split(',').slice(lora, lora + 8)).toEqual(['', '', '', '', '', '', '', '']);
    expect(lines).toHaveLength(6);
  });

  it('escapes every label from the runs in the page', () => {
    expect(page).not.toContain(hostileLabel);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // In the charts' JSON the same label travels with < and > escaped.
    expect(page).toContain('\\u003cimg src=x onerror=alert(1)\\u003e');
  });

  it('draws the ranking scatter, the fine-tuning bars, linear probing and decoder bars and the few-shot curve, and embeds the PCA images', () => {
    const specs = JSON.parse(page.match(/<script type="application\/json" id="radprobe-report-data">(.*?)<\/script>/s)![1]) as Array<{ kind: string }>;
    expect(specs.map((spec) => spec.kind)).toEqual(['rank-scatter', 'metric-bars', 'metric-bars', 'metric-bars', 'fewshot-curve']);
    // Every backbone has a point (null where it is ranked on one kind of task only), for the page's script to move.
    expect(specs[0]).toMatchObject({ points: [{ label: 'small', x: 2 }, { label: 'base', x: 1 }, { label: 'resnet', x: 3, y: 2 }, { label: hostileLabel, x: null, y: 4 }], worstRank: 4 });
    expect(specs[1]).toMatchObject({ categories: ['small', 'base'], series: [{ label: 'frozen (reference)' }, { label: 'full' }, { label: 'LoRA' }, { label: 'BitFit' }] });
    expect(specs[3]).toMatchObject({ categories: ['small', 'base', 'resnet'], series: [{ label: 'seg (linear)' }, { label: 'seg (unet)' }] });
    // Few-shot points 0.6 … 0.7, R's 1-shot ± 0.071: axis 0.5 … 0.8, within AUROC's [0, 1].
    expect(specs[4]).toMatchObject({ series: [{ label: 'small' }, { label: 'resnet' }], valueAxis: { min: 0.5, max: 0.8 } });
    expect(page.match(/<img class="pca" src="data:image\/png;base64,/g)).toHaveLength(2);
  });

  it('bolds the best value of a column only where it is unique at the precision shown', () => {
    const bold = [...page.matchAll(/<td class="value best" data-col="(\d+)">([^<]*) <small>([^<]*)<\/small><\/td>/g)]
      .map((match) => [Number(match[1]), `${match[2]} ${match[3]}`])
      .sort(([a], [b]) => Number(a) - Number(b));
    // cxr · linear: B 0.900 alone; knn k=5: S 0.700 over B 0.600; knn k=20: S = B = 0.750, none; few-shot 1 shot:
    // R 0.650 over S 0.600; 4 shots: S = R = 0.700, none; peft: B beats S in every mode; seg: S 0.850, B 0.920.
    expect(bold).toEqual([
      [0, '0.900 [0.850, 0.950]'],
      [1, '0.700 [0.650, 0.750]'],
      [3, '0.650 ± 0.071 (2 tries)'],
      [5, '0.910 [0.860, 0.960]'],
      [6, '0.860 [0.810, 0.910]'],
      [7, '0.890 [0.840, 0.940]'],
      [8, '0.880 [0.830, 0.930]'],
      [9, '0.850 [0.800, 0.900]'],
      [10, '0.920 [0.870, 0.970]'],
    ]);
    expect(page).toContain('when it is the only best at the 3 decimals shown');
  });

  it('groups the matrix header by dataset and protocol, with the pickers and the ranking\'s choices', () => {
    expect(page).toContain('<th class="dataset" colspan="9" data-cols="0 1 2 3 4 5 6 7 8">cxr</th><th class="dataset" colspan="2" data-cols="9 10">lungs</th>');
    expect(page).toContain('<th class="protocol" colspan="2" data-cols="1 2">knn</th>');
    expect(page).toContain('<select id="matrix-dataset"><option value="">all datasets</option><option value="cxr">cxr</option><option value="lungs">lungs</option></select>');
    expect(page).toContain(`<select data-family="${'["cxr","knn"]'.replace(/"/g, '&quot;')}"><option value="best" selected>best setting per backbone</option><option value="0">k=5</option><option value="1">k=20</option><option value="off">leave out</option></select>`);
  });
});
