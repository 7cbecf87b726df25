// Renders the demo's report.html (the newest run under demo/results, from `npm start`) in Debian's headless
// Chromium and saves docs/images/report-overview.png (the top: contents and overview) and
// docs/images/report-cell.png (one cell: ROC and PR curves, per-class table, confusion matrix) for the README.
// Usage: node scripts/screenshot-report.mjs [report.html] [cell anchor, default: the first cell with curves]
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = join(root, 'demo', 'results');
const newestRun = existsSync(runs) ? readdirSync(runs).sort().at(-1) : undefined;
const page = resolve(process.argv[2] ?? (newestRun ? join(runs, newestRun, 'report.html') : join(runs, 'missing', 'report.html')));
const images = join(root, 'docs', 'images');
const chromiumPath = '/usr/bin/chromium';

if (!existsSync(page)) {
  console.error(`${page} does not exist: run \`npm start\` first`);
  process.exit(1);
}
if (!existsSync(chromiumPath)) {
  console.error(`${chromiumPath} is missing: install Debian's chromium (bash scripts/ensure-chromium.sh as root)`);
  process.exit(1);
}

const profile = await mkdtemp(join(tmpdir(), 'radprobe-screenshot-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
  deviceScaleFactor: 1,
});
try {
  const tab = await context.newPage();
  // The page is self-contained: a request to anywhere else is a bug worth stopping for, not a picture to take.
  const external = [];
  tab.on('request', (request) => {
    if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) external.push(request.url());
  });
  await tab.goto(pathToFileURL(page).href);
  // The page counts the charts it has drawn (animation off: a chart's first render is its final picture).
  await tab.waitForFunction(() => document.body.dataset.chartsDrawn === document.body.dataset.chartsExpected);
  if (external.length) throw new Error(`the page requested ${external.join(', ')}`);
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
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
