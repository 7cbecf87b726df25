// Renders the study demo's comparison page (demo-study/compare/compare.html, from `npm run demo:study`) in
// Debian's headless Chromium and saves the full page as docs/images/study-compare.png for the README.
// Usage: node scripts/screenshot-compare.mjs [compare.html] [out.png]
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const page = resolve(process.argv[2] ?? join(root, 'demo-study', 'compare', 'compare.html'));
const out = resolve(process.argv[3] ?? join(root, 'docs', 'images', 'study-compare.png'));
const chromiumPath = '/usr/bin/chromium';

if (!existsSync(page)) {
  console.error(`${page} does not exist: run \`npm run demo:study\` first`);
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
  // So is a script error: the page's pickers and ranking run in it.
  const errors = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  await tab.goto(pathToFileURL(page).href);
  await tab.waitForLoadState('load');
  // Chart.js draws on the next animation frames; wait until every canvas has pixels.
  await tab.waitForFunction(() => [...document.querySelectorAll('canvas')].every((canvas) => canvas.width > 0 && canvas.height > 0));
  await tab.waitForTimeout(500);
  if (external.length) throw new Error(`the page requested ${external.join(', ')}`);
  if (errors.length) throw new Error(`the page's scripts failed: ${errors.join('; ')}`);
  await tab.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
