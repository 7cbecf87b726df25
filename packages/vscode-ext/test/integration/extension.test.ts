import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCodeServer, type CodeServer } from './code-server.js';
import { demoWorkspace, repoRoot } from './fixture.js';

const packageDir = join(repoRoot, 'packages/vscode-ext');
const outputDir = join(packageDir, 'test-output');

let server: CodeServer;
let browser: BrowserContext;
let page: Page;
let workspace: string;
let profile: string;
let browserProfile: string;

/** The frame of the results webview (VS Code nests it in two iframes) once its charts are drawn. */
async function resultsFrame(): Promise<Frame> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const ready = await frame.locator('#radprobe-report-data ~ canvas, body:has(#radprobe-report-data) canvas').count().catch(() => 0);
      if (ready > 0) return frame;
    }
    await page.waitForTimeout(500);
  }
  throw new Error('the results panel did not render its charts');
}

/** The results webview's frame once it shows the given cell first (a CodeLens click re-renders the panel). */
async function selectedCellFrame(label: string): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const heading = await frame.locator('.selected-cell h2').innerText({ timeout: 200 }).catch(() => '');
      const drawn = await frame.locator('body').evaluate((body) => body.dataset.chartsDrawn === body.dataset.chartsExpected).catch(() => false);
      if (heading === `Selected cell: ${label}` && drawn) return frame;
    }
    await page.waitForTimeout(500);
  }
  throw new Error(`the results panel did not show ${label} first`);
}

beforeAll(async () => {
  // Fails, rather than skips, when code-server cannot be installed.
  const bin = execFileSync('bash', [join(repoRoot, 'scripts/setup-code-server.sh')], { encoding: 'utf8', timeout: 600_000 }).trim().split('\n').pop()!;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: packageDir, stdio: 'pipe' });
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: packageDir, stdio: 'pipe' });
  workspace = await demoWorkspace();
  profile = mkdtempSync(join(tmpdir(), 'radprobe-vscode-profile-'));
  browserProfile = mkdtempSync(join(tmpdir(), 'radprobe-chromium-'));
  server = await startCodeServer(bin, join(packageDir, 'dist/radprobe.vsix'), profile, {
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'telemetry.telemetryLevel': 'off',
    'git.enabled': false,
    'editor.codeLens': true,
  });
  browser = await chromium.launchPersistentContext(browserProfile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(server.url(workspace));
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
}, 600_000);

// A failed check leaves a screenshot of the workbench beside the results one, for the CI artifacts.
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail' || !page) return;
  mkdirSync(outputDir, { recursive: true });
  await page.screenshot({ path: join(outputDir, `failed-${context.task.name.replace(/\W+/g, '-')}.png`) });
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
  for (const dir of [workspace, profile, browserProfile]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packaged extension in code-server', () => {
  it('lists the installed plugins in its tree view', async () => {
    // The folder pane is collapsed so that the plugins view has the height to render every row.
    await page.locator('.pane-header', { hasText: 'radprobe-vscode-ws' }).click();
    const header = page.locator('.pane-header', { hasText: 'radprobe plugins' });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const view = page.locator('.pane', { has: header });
    await expect.poll(() => view.locator('.monaco-list-row').allInnerTexts(), { timeout: 30_000 }).toEqual(
      expect.arrayContaining([expect.stringContaining('@radprobe/protocol-knn'), expect.stringContaining('@radprobe/backbone-onnx')]),
    );
  }, 60_000);

  it('runs the config, shows the metric in a CodeLens and renders the results panel with charts', async () => {
    await page.locator('.pane-header', { hasText: 'radprobe-vscode-ws' }).click();
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('radprobe.json');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'radprobe.json' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines').first().waitFor();
    await page.locator('.codelens-decoration a', { hasText: 'Run this protocol' }).first().click();

    const frame = await resultsFrame();
    expect(await frame.locator('canvas').count()).toBeGreaterThan(0);
    expect(await frame.locator('body').getAttribute('data-radprobe-themed')).toBe('true');
    // Chart.js drew into the canvas: its pixels are not all blank.
    expect(await frame.locator('canvas').first().evaluate((canvas) => (canvas as unknown as { toDataURL(): string }).toDataURL().length)).toBeGreaterThan(3000);
    expect(await frame.locator('table').count()).toBeGreaterThan(0);

    const lens = page.locator('.codelens-decoration a', { hasText: 'kNN ·' });
    await lens.first().waitFor({ timeout: 30_000 });
    // The interval, or (the demo's multi-label set has rare classes) why it is unreliable: never a bare number.
    expect(await lens.first().innerText()).toMatch(/^kNN · \S.* \d\.\d\d (\[\d\.\d\d, \d\.\d\d\]|\(interval unreliable: built from \d+ of \d+ resamples.*\)) .*· (just now|\d+ min ago)$/);

  }, 180_000);

  it('opens a cell\'s CodeLens on that cell\'s charts: ROC and PR curves drawn, per-class table, confusion matrix', async () => {
    await page.locator('.codelens-decoration a', { hasText: 'synthetic-nih' }).first().click();
    const nih = await selectedCellFrame('vit-tiny-hf × synthetic-nih × knn');
    const section = nih.locator('.selected-cell section.cell');
    // The report's own charts, drawn by its own script: every one of the page's charts, the cell's two curves included.
    const counts = await nih.locator('body').evaluate((body) => ({ drawn: Number(body.dataset.chartsDrawn), expected: Number(body.dataset.chartsExpected), errors: body.dataset.chartErrors ?? null }));
    expect(counts).toMatchObject({ errors: null, drawn: counts.expected });
    expect(counts.expected).toBeGreaterThan(4);
    const curves = section.locator('.figure-pair canvas');
    expect(await curves.count()).toBe(2);
    for (const canvas of await curves.all()) expect(await canvas.evaluate((element) => (element as unknown as { toDataURL(): string }).toDataURL().length)).toBeGreaterThan(5000);
    expect(await section.locator('figcaption').first().innerText()).toMatch(/^ROC curves per class, TEST scores of test: k=5/);
    expect(await section.locator('table.per-class thead').innerText()).toMatch(/TRAIN pos \/ neg\s+VAL pos \/ neg\s+TEST pos \/ neg\s+AUROC \[95 % CI\]\s+AP/);

    await section.locator('.figure-pair').scrollIntoViewIfNeeded();
    mkdirSync(outputDir, { recursive: true });
    await page.screenshot({ path: join(outputDir, 'vscode-results.png') });

    await page.locator('.codelens-decoration a', { hasText: 'synthetic-cxr' }).first().click();
    const cxr = await selectedCellFrame('vit-tiny-hf × synthetic-cxr × knn');
    const matrices = cxr.locator('.selected-cell table.confusion');
    expect(await matrices.count()).toBe(2);
    expect(await cxr.locator('.selected-cell table.per-class thead').innerText()).toMatch(/sensitivity\s+specificity\s+PPV/);
  }, 120_000);
});

/** WCAG contrast ratio of two CSS `rgb()`/`rgba()` colours. */
function contrastRatio(foreground: string, background: string): number {
  const luminance = (colour: string) => {
    const [r, g, b] = (colour.match(/[\d.]+/g) ?? []).slice(0, 3).map((channel) => {
      const value = Number(channel) / 255;
      return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(foreground), luminance(background)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}

/** Opens a workspace file by name through Quick Open. */
async function openFile(name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

/** The Problems view's rows. */
async function problems(): Promise<string[]> {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>View: Focus on Problems View');
  await page.keyboard.press('Enter');
  return page.locator('.markers-panel .monaco-list-row').allInnerTexts();
}

describe('issue 19: history, comparison, diagnostics and readable heat maps', () => {
  it('keeps the confusion matrix text readable (4.5:1) on its heat colours in the dark and the light theme', async () => {
    const cxr = await selectedCellFrame('vit-tiny-hf × synthetic-cxr × knn');
    const contrasts = async () =>
      cxr.locator('.selected-cell table.confusion td').evaluateAll((cells) =>
        cells.map((cell) => {
          const style = (globalThis as unknown as { getComputedStyle(element: unknown): { color: string; backgroundColor: string } }).getComputedStyle(cell);
          return { text: cell.textContent, color: style.color, background: style.backgroundColor, inline: (cell as unknown as { style: { backgroundColor: string } }).style.backgroundColor };
        }),
      );
    for (const theme of ['Light Modern', 'Dark Modern']) {
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Preferences: Color Theme');
      // Clicked by exact label: fuzzy matching may put "Browse Color Themes in Marketplace" first.
      const row = (label: string) => page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
      await row('Preferences: Color Theme').click();
      await row(theme).click();
      // VS Code marks the webview's body with the theme's kind.
      await expect.poll(() => cxr.locator('body').getAttribute('class'), { timeout: 30_000 }).toContain(theme === 'Dark Modern' ? 'vscode-dark' : 'vscode-light');
      const cells = await contrasts();
      expect(cells.length).toBeGreaterThan(3);
      for (const cell of cells) {
        // The report's heat colour is what shows (no theme stripe over it), and its text colour reads on it.
        expect(cell.background, `${theme}: cell ${cell.text}`).toBe(cell.inline);
        expect(contrastRatio(cell.color, cell.background), `${theme}: cell ${cell.text} ${cell.color} on ${cell.background}`).toBeGreaterThanOrEqual(4.5);
      }
    }
  }, 120_000);

  it('shows a finished run from the notification\'s Show results button, and compares it with an earlier run of the results folder', async () => {
    await openFile('radprobe.json');
    await page.locator('.codelens-decoration a', { hasText: 'Run this protocol' }).first().click();
    const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: /radprobe run \S+ finished/ }).last();
    await toast.waitFor({ timeout: 120_000 });
    const runId = /radprobe run (\S+) finished/.exec(await toast.innerText())![1];
    await toast.locator('a.monaco-button', { hasText: 'Show results' }).click();
    const frameShowing = async (text: string) => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        for (const frame of page.frames()) {
          const bar = await frame.locator('nav.radprobe-run-nav').innerText({ timeout: 200 }).catch(() => '');
          if (bar.includes(text)) return frame;
        }
        await page.waitForTimeout(500);
      }
      throw new Error(`the results panel did not show ${text}`);
    };
    const run = await frameShowing(`Run ${runId}`);
    // The run's own files, linked from the bar.
    expect(await run.locator('nav.radprobe-run-nav a').allInnerTexts()).toEqual(['Other run…', 'Compare with…', 'results.csv', 'report.html']);

    await run.locator('nav.radprobe-run-nav a', { hasText: 'Compare with…' }).click();
    const choices = page.locator('.quick-input-list .monaco-list-row');
    await choices.first().waitFor();
    // The other runs of the results folder, not the one shown.
    const listed = await choices.allInnerTexts();
    expect(listed.length).toBeGreaterThanOrEqual(1);
    expect(listed.join('\n')).not.toContain(runId);
    await page.keyboard.press('Enter');
    const comparison = await frameShowing('Comparison of');
    expect(await comparison.locator('#radprobe-compare-data').count()).toBe(1);
    expect(await comparison.locator('nav.radprobe-run-nav').innerText()).toContain(runId);
    await comparison.locator('nav.radprobe-run-nav a', { hasText: runId }).click();
    await frameShowing(`Run ${runId}`);
  }, 240_000);

  it('shows an option key\'s own description on hover, and the kind\'s description once', async () => {
    await openFile('radprobe.json');
    const hoverOver = async (word: RegExp) => {
      await page.locator('.view-lines span', { hasText: word }).last().hover();
      const content = page.locator('.monaco-hover-content').filter({ hasText: /\S/ }).last();
      await content.waitFor({ timeout: 30_000 });
      await expect.poll(() => content.innerText()).not.toContain('Loading');
      const text = await content.innerText();
      await page.mouse.move(5, 500);
      return text;
    };
    expect(await hoverOver(/^"k"$/)).toMatch(/^Neighbour counts, one result row each\./);
    const kind = await hoverOver(/^"knn"$/);
    expect(kind).toMatch(/^Which protocol this entry is/);
    expect(kind.split('kNN (protocol from @radprobe/protocol-knn').length - 1).toBe(1);
  }, 90_000);

  it('marks paths that do not exist and unset variables before any run, and offers "Change to \'knn\'" for a misspelt kind', async () => {
    const write = (name: string, config: Record<string, unknown>) => writeFileSync(join(workspace, name), `${JSON.stringify(config, null, 2)}\n`);
    write('paths.radprobe.json', {
      backbones: [{ kind: 'onnx', name: 'vit', model: 'models/missing.onnx' }],
      datasets: [{ kind: 'image-folder', name: 'cxr', root: 'data/missing' }],
      protocols: [{ kind: 'knn' }],
    });
    write('typo.radprobe.json', {
      backbones: [{ kind: 'onnx', name: 'vit', model: 'models/vit-tiny-hf/onnx/model.onnx' }],
      datasets: [{ kind: 'image-folder', name: 'cxr', root: '${env:RADPROBE_TEST_UNSET}/cxr' }],
      protocols: [{ kind: 'knnn' }],
    });
    // Quick Open's file index may not know files this new yet: open them from the Explorer.
    const explorerRow = (name: string) => page.locator('.explorer-folders-view .monaco-list-row', { hasText: name });
    await explorerRow('paths.radprobe.json').dblclick({ timeout: 30_000 });
    await explorerRow('typo.radprobe.json').dblclick({ timeout: 30_000 });
    await expect.poll(problems, { timeout: 90_000, interval: 2_000 }).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Model file .*models\/missing\.onnx does not exist/),
        expect.stringMatching(/folder not found: .*data\/missing/),
        expect.stringMatching(/environment variable RADPROBE_TEST_UNSET is not set/),
        expect.stringContaining("no installed plugin provides the protocol kind 'knnn'"),
      ]),
    );

    await explorerRow('typo.radprobe.json').dblclick();
    await page.locator('.view-lines span', { hasText: /^"knnn"$/ }).last().click();
    await page.keyboard.press('Control+.');
    const fixes = page.locator('.action-widget .monaco-list-row');
    await fixes.first().waitFor({ timeout: 30_000 });
    expect(await fixes.allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining("Change to 'knn'")]));
    // The preferred fix is the focused one.
    await expect.poll(() => page.locator('.action-widget .monaco-list-row.focused').innerText()).toContain("Change to 'knn'");
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.monaco-editor .view-lines').first().innerText(), { timeout: 10_000 }).toMatch(/"kind":\s*"knn"/);
  }, 180_000);
});
