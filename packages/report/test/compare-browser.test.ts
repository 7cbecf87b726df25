import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../src/index.js';
import { runA, runB, writePcaImages, writeRun } from './compare-fixture.js';
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
  const { html } = await compareRuns([a, b], { out: join(workDir, 'out'), title: `Study ${hostileLabel}` });
  ({ context, page, requests, dialogs, problems } = await openHeadless(html, join(workDir, 'profile')));
});

afterAll(async () => {
  await context?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('compare.html in headless Chromium', () => {
  it('draws every chart without an error', async () => {
    expect(await page.evaluate(() => ({ ...document.body.dataset }))).toEqual({ chartsExpected: '4', chartsDrawn: '4' });
    expect(problems).toEqual([]);
  });

  it('paints each canvas, the first series of each chart in its colour', async () => {
    const painted = await page.locator('canvas').evaluateAll((canvases) =>
      (canvases as HTMLCanvasElement[]).map((canvas) => {
        const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height);
        let matching = 0;
        // #21918c: the first backbone's point, the first bar series, the first few-shot line.
        for (let offset = 0; offset < data.length; offset += 4) if (data[offset] === 0x21 && data[offset + 1] === 0x91 && data[offset + 2] === 0x8c && data[offset + 3] === 255) matching += 1;
        return matching;
      }),
    );
    expect(painted).toHaveLength(4);
    for (const matching of painted) expect(matching).toBeGreaterThan(20);
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
