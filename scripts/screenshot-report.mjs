// Renders the demo's report.html (the newest run under demo/results, from `npm start`) in Debian's headless
// Chromium and saves docs/images/report-overview.png (the top: contents and overview) and
// docs/images/report-cell.png (one cell: ROC and PR curves, per-class table, confusion matrix) for the README.
// Usage: node scripts/screenshot-report.mjs [report.html] [cell anchor, default: the first cell with curves]
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withOfflinePage } from './offline-page.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = join(root, 'demo', 'results');
const newestRun = existsSync(runs) ? readdirSync(runs).sort().at(-1) : undefined;
const page = resolve(process.argv[2] ?? (newestRun ? join(runs, newestRun, 'report.html') : join(runs, 'missing', 'report.html')));
const images = join(root, 'docs', 'images');

await withOfflinePage(page, 'npm start', async (tab) => {
  // The page counts the charts it has drawn (animation off: a chart's first render is its final picture).
  await tab.waitForFunction(() => document.body.dataset.chartsDrawn === document.body.dataset.chartsExpected);
  if (await tab.evaluate(() => document.body.dataset.chartErrors)) throw new Error('a chart failed to draw');

  const top = join(images, 'report-overview.png');
  const overviewBottom = await tab.locator('#results').evaluate((element) => element.getBoundingClientRect().top + window.scrollY);
  await tab.screenshot({ path: top, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(overviewBottom) } });
  console.log(`wrote ${top}`);

  const anchor = process.argv[3] ?? (await tab.evaluate(() => document.querySelector('section.cell:has(.figure-pair)')?.id));
  if (!anchor) throw new Error('no cell with curves in this report');
  const cell = join(images, 'report-cell.png');
  await tab.locator(`#${anchor}`).screenshot({ path: cell });
  console.log(`wrote ${cell} (#${anchor})`);
});
