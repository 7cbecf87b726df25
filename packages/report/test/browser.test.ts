import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/index.js';
import { writeRunWithArtifacts } from './artifact-fixture.js';
import { openHeadless } from './headless-page.js';
import { hostileLabel, hostileNote } from './fixtures.js';

const screenshotPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-output', 'report.png');

let workDir = '';
let context: BrowserContext;
let page: Page;
let requests: string[] = [];
let dialogs: string[] = [];
let problems: string[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'radprobe-report-browser-'));
  const runDir = join(workDir, 'run');
  const reportPath = await writeReport(runDir, await writeRunWithArtifacts(runDir));
  ({ context, page, requests, dialogs, problems } = await openHeadless(reportPath, join(workDir, 'profile')));
});

afterAll(async () => {
  await context?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** How many pixels of a canvas are painted at all, and how many have exactly the given colour. */
function canvasPixels(canvasId: string, colour: readonly [number, number, number]): Promise<{ total: number; painted: number; matching: number }> {
  return page.evaluate(
    ({ canvasId, colour }) => {
      const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
      const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      let matching = 0;
      for (let offset = 0; offset < data.length; offset += 4) {
        if (data[offset + 3] === 0) continue;
        painted += 1;
        if (data[offset] === colour[0] && data[offset + 1] === colour[1] && data[offset + 2] === colour[2] && data[offset + 3] === 255) matching += 1;
      }
      return { total: data.length / 4, painted, matching };
    },
    { canvasId, colour },
  );
}

describe('report.html in headless Chromium', () => {
  it('draws every chart without an error', async () => {
    const dataset = await page.evaluate(() => ({ ...document.body.dataset }));
    expect(dataset).toEqual({ chartsExpected: '10', chartsDrawn: '10' });
    expect(problems).toEqual([]);
  });

  it('paints each canvas, in the colours the charts use', async () => {
    // The overview bars in #21918c; the ROC and PR curves of Atelectasis in its class colour #0072b2; the first
    // per-class series in #21918c; the seed points in rgb(68, 1, 84); kNN's metric against k in #21918c; the
    // few-shot curve's second backbone (line, points and error bars) in #440154.
    const expectations: Array<[string, [number, number, number]]> = [
      ['chart-1', [0x21, 0x91, 0x8c]],
      ['chart-3', [0x00, 0x72, 0xb2]],
      ['chart-4', [0x00, 0x72, 0xb2]],
      ['chart-5', [0x21, 0x91, 0x8c]],
      ['chart-6', [68, 1, 84]],
      ['chart-7', [0x21, 0x91, 0x8c]],
      ['chart-10', [0x44, 0x01, 0x54]],
    ];
    for (const [canvasId, colour] of expectations) {
      const pixels = await canvasPixels(canvasId, colour);
      expect(pixels.painted, canvasId).toBeGreaterThan(pixels.total * 0.01);
      expect(pixels.matching, canvasId).toBeGreaterThan(20);
    }
  });

  it('shows hostile labels as text and runs no handler from them', async () => {
    expect(await page.locator('h1').textContent()).toBe(`study reproduction ${hostileLabel}`);
    expect(await page.locator('li', { hasText: hostileNote }).count()).toBe(1);
    // The only images are the embedded artifacts, none from a hostile label.
    expect(await page.locator('img').evaluateAll((images) => images.map((image) => image.className))).toEqual(['artifact', 'artifact']);
    expect(dialogs).toEqual([]);
  });

  it('shows the embedded artifact images, decoded from their data: URLs', async () => {
    const images = await page.locator('img.artifact').evaluateAll((elements) =>
      (elements as HTMLImageElement[]).map((image) => ({ complete: image.complete, naturalWidth: image.naturalWidth, scheme: image.src.slice(0, 15), alt: image.alt })),
    );
    expect(images).toHaveLength(2);
    for (const image of images) expect(image).toMatchObject({ complete: true, naturalWidth: 1, scheme: 'data:image/png;' });
    expect(images[0].alt).toBe('mask"<b>.png from dinov2-vits14 × nih-mini × linear (the cell\'s notes say what it shows)');
  });

  it('keeps long names whole: name cells never wrap, wide tables scroll instead of the page', async () => {
    const names = await page.locator('td.name, th.name').evaluateAll((cells) => cells.map((cell) => getComputedStyle(cell).whiteSpace));
    expect(names.length).toBeGreaterThan(10);
    expect(new Set(names)).toEqual(new Set(['nowrap']));
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('draws an unreliable interval dashed with a dagger, where a reliable one is solid', async () => {
    // The top-1 overview (chart-2): k = 20's interval is unreliable. Its whisker's column carries the dagger's
    // pixels above the cap; the reliable k = 5 column has none there.
    const dagger = await page.evaluate(() => {
      const canvas = document.getElementById('chart-2') as HTMLCanvasElement;
      const chart = (window as unknown as { Chart: { getChart(canvas: HTMLCanvasElement): { getDatasetMeta(i: number): { data: Array<{ x: number }> }; scales: { y: { getPixelForValue(v: number): number } } } } }).Chart.getChart(canvas)!;
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      const ratio = canvas.width / canvas.getBoundingClientRect().width;
      const darkAbove = (x: number, high: number) => {
        const top = chart.scales.y.getPixelForValue(high);
        const { data } = context.getImageData(Math.round((x - 4) * ratio), Math.round((top - 14) * ratio), Math.round(8 * ratio), Math.round(8 * ratio));
        let dark = 0;
        for (let offset = 0; offset < data.length; offset += 4) if (data[offset + 3] > 200 && data[offset] < 80 && data[offset + 1] < 80) dark++;
        return dark;
      };
      const bars = chart.getDatasetMeta(0).data;
      return { reliable: darkAbove(bars[0].x, 0.8625), unreliable: darkAbove(bars[2].x, 0.675) };
    });
    expect(dagger.reliable).toBe(0);
    expect(dagger.unreliable).toBeGreaterThan(5);
  });

  it('requests nothing beyond its own file', async () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  });

  it('saves a screenshot for a person to look at', async () => {
    await mkdir(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(existsSync(screenshotPath)).toBe(true);
  });
});
