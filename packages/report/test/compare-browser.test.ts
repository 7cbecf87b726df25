import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../src/index.js';
import { runA, runB, runC, writePcaImages, writeRun } from './compare-fixture.js';
import { openHeadless } from './headless-page.js';
import { hostileLabel } from './fixtures.js';

const screenshotPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-output', 'compare.png');

let workDir = '';
let context: BrowserContext;
let page: Page;
let requests: string[] = [];
let dialogs: string[] = [];
let problems: string[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'radprobe-compare-browser-'));
  const a = await writeRun(join(workDir, 'a'), runA());
  await writePcaImages(a);
  const b = await writeRun(join(workDir, 'b'), runB());
  const c = await writeRun(join(workDir, 'c'), runC());
  const { html } = await compareRuns([a, b, c], { out: join(workDir, 'out'), title: `Study ${hostileLabel}` });
  ({ context, page, requests, dialogs, problems } = await openHeadless(html, join(workDir, 'profile')));
});

afterAll(async () => {
  await context?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('compare.html in headless Chromium', () => {
  it('draws every chart without an error', async () => {
    expect(await page.evaluate(() => ({ ...document.body.dataset }))).toEqual({ chartsExpected: '5', chartsDrawn: '5' });
    expect(problems).toEqual([]);
  });

  const paintedPixels = () =>
    page.locator('canvas').evaluateAll((canvases) =>
      (canvases as HTMLCanvasElement[]).map((canvas) => {
        const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height);
        let matching = 0;
        // #21918c: the first backbone's point, the first bar series, the first few-shot line.
        for (let offset = 0; offset < data.length; offset += 4) if (data[offset] === 0x21 && data[offset + 1] === 0x91 && data[offset + 2] === 0x8c && data[offset + 3] === 255) matching += 1;
        return matching;
      }),
    );

  it('paints each canvas, the first series of each chart in its colour', async () => {
    const painted = await paintedPixels();
    expect(painted).toHaveLength(5);
    for (const matching of painted) expect(matching).toBeGreaterThan(20);
  });

  it('opens the matrix on its first dataset (11 columns over two datasets), the headers spanning what is shown', async () => {
    const visible = () => page.locator('table.matrix thead tr:nth-child(3) th:not([hidden])').allTextContents();
    expect(await visible()).toHaveLength(9);
    expect(await page.locator('table.matrix th.dataset:not([hidden])').allTextContents()).toEqual(['cxr']);
    expect(await page.locator('table.matrix th.protocol[data-cols="1 2"]').getAttribute('colspan')).toBe('2');
    // Nine columns, each value with its interval under it, fit the 1200-pixel window without scrolling sideways.
    expect(await page.locator('.matrix-scroll').evaluate((box) => [box.scrollWidth <= box.clientWidth, box.getBoundingClientRect().right <= window.innerWidth])).toEqual([true, true]);
    await page.selectOption('#matrix-dataset', 'lungs');
    expect(await visible()).toEqual(['lineardice', 'unetdice']);
    await page.selectOption('#matrix-dataset', '');
    await page.selectOption('#matrix-protocol', 'knn');
    expect(await visible()).toEqual(['k=5auroc', 'k=20auroc']);
    await page.selectOption('#matrix-setting', 'unet');
    expect(await visible()).toEqual([]);
    expect(await page.locator('#matrix-empty').isVisible()).toBe(true);
    await page.selectOption('#matrix-protocol', '');
    expect(await visible()).toEqual(['unetdice']);
    // Body cells follow their header: one value per backbone row.
    expect(await page.locator('table.matrix tbody td:not([hidden])').allTextContents()).toEqual(['0.900 [0.850, 0.950]', '0.920 [0.870, 0.970]', '0.880 [0.830, 0.930]', '–']);
    await page.selectOption('#matrix-setting', '');
    expect(await visible()).toHaveLength(11);
    // The header stays on top while the table scrolls.
    expect(await page.locator('table.matrix thead').evaluate((head) => getComputedStyle(head).position)).toBe('sticky');
  });

  it('recomputes the ranking in the page when the reader picks a setting or leaves a protocol out', async () => {
    const table = () => page.locator('#ranking-table tbody tr').evaluateAll((rows) => rows.map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent)));
    const point = () => page.evaluate(() => (window as unknown as { Chart: { getChart(id: string): { data: { datasets: Array<{ data: unknown[] }> } } } }).Chart.getChart('chart-1').data.datasets.map((dataset) => dataset.data));
    // The default, as compare.md has it (compare-files.test.ts).
    expect((await table())[0]).toEqual(['small', '2.00', '1.88']);
    await page.selectOption('select[data-family="[\\"cxr\\",\\"knn\\"]"]', '0');
    await page.selectOption('select[data-family="[\\"cxr\\",\\"fewshot\\"]"]', 'off');
    // knn at k=5: S 1, B 2; few-shot out. S: (linear 2.5 + knn 1 + peft 2) / 3 = 1.83; B: (1 + 2 + 1) / 3 = 1.33;
    // R: linear only, 2.5.
    expect(await table()).toEqual([
      ['small', '2.00', '1.83'],
      ['base', '1.00', '1.33'],
      ['resnet', '3.00', '2.50'],
      [hostileLabel, '–', '4.00'],
    ]);
    expect(await page.locator('[data-family-use="1"]').textContent()).toBe('counted with k=5');
    expect(await page.locator('[data-family-use="2"]').textContent()).toBe('not counted: left out');
    const points = await point();
    expect(points[0]).toEqual([{ x: 2, y: 5.5 / 3 }]);
    expect(points[3]).toEqual([]);
    expect(await page.locator('#ranking-missing').textContent()).toBe(`Not in the figure (ranked on one kind of task only, or on none): ${hostileLabel}.`);
    // Leaving segmentation out empties the figure; the canvas is redrawn without points.
    await page.selectOption('select[data-family="[\\"lungs\\",\\"seg\\"]"]', 'off');
    expect((await point()).every((data) => data.length === 0)).toBe(true);
    for (const family of ['lungs\\",\\"seg', 'cxr\\",\\"knn', 'cxr\\",\\"fewshot']) await page.selectOption(`select[data-family="[\\"${family}\\"]"]`, 'best');
    expect((await table())[0]).toEqual(['small', '2.00', '1.88']);
    expect((await point())[0]).toEqual([{ x: 2, y: 1.875 }]);
    expect(problems).toEqual([]);
  });

  it('shows the PCA images, decoded', async () => {
    const images = await page.locator('img.pca').evaluateAll((elements) => (elements as HTMLImageElement[]).map((image) => ({ complete: image.complete, naturalWidth: image.naturalWidth })));
    expect(images).toEqual([
      { complete: true, naturalWidth: 1 },
      { complete: true, naturalWidth: 1 },
    ]);
  });

  it('shows hostile labels as text and runs nothing from them', async () => {
    expect(await page.locator('h1').textContent()).toBe(`Study ${hostileLabel}`);
    expect(await page.locator('table.matrix tbody th', { hasText: hostileLabel }).count()).toBe(1);
    expect(await page.locator('#ranking-table tbody td', { hasText: hostileLabel }).count()).toBe(1);
    expect(await page.locator('img:not(.pca)').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('requests nothing beyond its own file', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  });

  it('saves a screenshot for a person to look at', async () => {
    await mkdir(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(existsSync(screenshotPath)).toBe(true);
  });
});
