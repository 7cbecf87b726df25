import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's package; playwright cannot download its own browsers offline, and CI installs this one. */
const chromiumPath = '/usr/bin/chromium';
const launchArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A page of ours open in headless Chromium, with what it asked for and complained about along the way. */
export interface HeadlessPage {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  /** Messages of alert/confirm/prompt dialogs (an injected script would raise one). */
  dialogs: string[];
  /** Page errors, console errors and warnings. */
  problems: string[];
}

/**
 * Opens `htmlFile` in headless Chromium (profile in `profileDir`) and waits until every chart it announced
 * (`data-charts-expected` on <body>) is drawn (`data-charts-drawn`).
 */
export async function openHeadless(htmlFile: string, profileDir: string): Promise<HeadlessPage> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: the browser tests render pages in Debian's headless Chromium. Install it with \`sudo apt-get install chromium\` (or run \`bash scripts/ensure-chromium.sh\` as root).`);
  }
  const context = await chromium.launchPersistentContext(profileDir, { executablePath: chromiumPath, headless: true, args: launchArgs, viewport: { width: 1200, height: 900 } });
  const opened: HeadlessPage = { context, page: await context.newPage(), requests: [], dialogs: [], problems: [] };
  const { page } = opened;
  page.on('request', (request) => opened.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => opened.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') opened.problems.push(`console ${message.type()}: ${message.text()}`);
  });
  await page.goto(pathToFileURL(htmlFile).href);
  await page.waitForFunction(() => document.body.dataset.chartsExpected !== undefined && document.body.dataset.chartsDrawn === document.body.dataset.chartsExpected, undefined, { timeout: 30_000 });
  return opened;
}
