// Opens one of radprobe's self-contained pages (report.html, compare.html) in Debian's headless Chromium for the
// README screenshot scripts. The pages must work from file:// alone: a request to anywhere else, or a script error,
// is a bug worth stopping for, not a picture to take.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const chromiumPath = '/usr/bin/chromium';

/**
 * Runs `use(tab)` on `page` loaded in a 1280×900 window, then fails if the page requested anything outside
 * file:/data: or threw. `howToMake` says which command writes the page when it is missing.
 */
export async function withOfflinePage(page, howToMake, use) {
  if (!existsSync(page)) {
    console.error(`${page} does not exist: run \`${howToMake}\` first`);
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
    const external = [];
    tab.on('request', (request) => {
      if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) external.push(request.url());
    });
    const errors = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(pathToFileURL(page).href);
    await use(tab);
    if (external.length) throw new Error(`the page requested ${external.join(', ')}`);
    if (errors.length) throw new Error(`the page's scripts failed: ${errors.join('; ')}`);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}
