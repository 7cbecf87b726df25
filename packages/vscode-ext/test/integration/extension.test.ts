import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCodeServer, type CodeServer } from './code-server.js';
import { demoConfig, demoWorkspace, missingModelConfig, notInstalledPlugin, recordingNpm, repoRoot } from './fixture.js';

const packageDir = join(repoRoot, 'packages/vscode-ext');
const outputDir = join(packageDir, 'test-output');

let server: CodeServer;
let browser: BrowserContext;
let page: Page;
let workspace: string;
let profile: string;
let browserProfile: string;
let npm: ReturnType<typeof recordingNpm>;

/** The frame of the results webview (VS Code nests it in two iframes) once its charts are drawn. */
async function resultsFrame(): Promise<Frame> {
  // The whole demo run comes first: minutes on a busy machine.
  const deadline = Date.now() + 150_000;
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

/** The radprobe log of each window session so far, oldest first: the files VS Code writes the Output channel to. */
function radprobeLogs(): string[] {
  const logs = join(profile, 'user-data', 'logs');
  return (readdirSync(logs, { recursive: true }) as string[])
    .filter((file) => /(^|\/)radprobe\.log$/.test(file))
    .sort()
    .map((file) => readFileSync(join(logs, file), 'utf8'));
}

/** The radprobe Output channel in front, unfiltered (the view keeps a filter typed by an earlier check). */
async function showLog(): Promise<Locator> {
  await command('radprobe: Show log');
  const filter = page.getByPlaceholder('Filter', { exact: true });
  if ((await filter.inputValue().catch(() => '')) !== '') await filter.fill('');
  return page.locator('.output-view .view-lines');
}

/** Runs a command from the palette by its title, waiting for an extension that is still starting to register it. */
async function command(title: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill(`>${title}`);
    try {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click({ timeout: 5_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/** Opens a workspace file in the editor through Quick Open. */
async function openFile(name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill(name);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}`) }).waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.editor-group-container.active .tab.active', { hasText: name }).waitFor();
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

const testRows = () => page.locator('.test-explorer .monaco-list-row');

/** The Testing view with every item expanded, its rows as level, label, description and aria-label (its tooltip). */
async function testingTree(): Promise<Array<{ level: number; label: string; description: string; aria: string }>> {
  await command('Testing: Focus on Test Explorer View');
  await testRows().first().waitFor();
  for (let round = 0; round < 20; round++) {
    const collapsed = testRows().and(page.locator('[aria-expanded="false"]'));
    if ((await collapsed.count()) === 0) break;
    await collapsed.first().locator('.monaco-tl-twistie').click();
  }
  return testRows().evaluateAll((rows) =>
    rows.map((row) => ({
      level: Number(row.getAttribute('aria-level')),
      label: row.querySelector('.label')?.firstChild?.textContent ?? '',
      description: row.querySelector('.test-label-description')?.textContent ?? '',
      aria: row.getAttribute('aria-label') ?? '',
    })),
  );
}

/** A leaf of the Testing view by its cell's full name, which ends its description (and so its aria-label). */
const leafRow = (cell: string) => page.locator(`.test-explorer .monaco-list-row[aria-label*="${cell} ("]`);

/**
 * Runs an action of a row's context menu. The action is chosen by keyboard once the menu has focused it: a
 * click that lands while the menu is still opening is dropped, which left the menu open over the next checks.
 */
async function contextAction(row: Locator, action: string | RegExp): Promise<void> {
  await row.click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  const item = menu.locator('.action-item', { has: page.locator('.action-label', { hasText: action }) });
  await item.hover();
  await expect.poll(() => item.getAttribute('class'), { timeout: 10_000 }).toContain('focused');
  await page.keyboard.press('Enter');
  await menu.waitFor({ state: 'detached', timeout: 10_000 });
}

type TestingRow = Awaited<ReturnType<typeof testingTree>>[number];

/** The rows of one config's subtree in the Testing view (cells of two configs may have the same names). */
function rowsOfConfig(tree: TestingRow[], config: string): TestingRow[] {
  const start = tree.findIndex((row) => row.level === 1 && row.label === config);
  if (start < 0) return [];
  const end = tree.findIndex((row, index) => index > start && row.level === 1);
  return tree.slice(start, end < 0 ? undefined : end);
}

/** Writes a config into the workspace. */
const writeConfig = (name: string, config: object) => writeFileSync(join(workspace, name), `${JSON.stringify(config, null, 2)}\n`);

/** A config of the demo's backbone and datasets with one kNN cell each. */
const smallConfig = (name: string) => ({ ...demoConfig, name, protocols: [{ kind: 'knn', k: [5] }] });

/**
 * Opens a workspace file from the Explorer (Quick Open's file index may not know files this new yet), then moves the
 * keyboard focus from the Explorer to the editor.
 */
async function openFromExplorer(name: string): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).dblclick({ timeout: 30_000 });
  await page.locator('.editor-group-container.active .tab.active', { hasText: name }).waitFor({ timeout: 15_000 });
  await command('View: Focus Active Editor Group');
}

/**
 * Runs the first protocol entry of the config in the focused editor from its CodeLens. The protocols come last in
 * the demo configs, and lenses render for lines on screen only.
 */
async function runFirstProtocol(): Promise<void> {
  await page.keyboard.press('Control+End');
  await page.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Run this protocol' }).first().click({ timeout: 60_000 });
}

/** The CodeLenses with the given text on screen: an editor in a background tab keeps its own, hidden. */
const codeLens = (text: string) => page.locator('.codelens-decoration a', { hasText: text }).filter({ visible: true });

/** The results webview's frame once its latest-per-cell table has the given number of rows. */
async function latestTableFrame(rows: number): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if ((await frame.locator('.latest-by-cell tbody tr').count().catch(() => 0)) === rows) return frame;
    }
    await page.waitForTimeout(500);
  }
  throw new Error(`the results panel did not show ${rows} cells in its latest-per-cell table`);
}

beforeAll(async () => {
  // Fails, rather than skips, when code-server cannot be installed.
  const bin = execFileSync('bash', [join(repoRoot, 'scripts/setup-code-server.sh')], { encoding: 'utf8', timeout: 600_000 }).trim().split('\n').pop()!;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: packageDir, stdio: 'pipe' });
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: packageDir, stdio: 'pipe' });
  workspace = await demoWorkspace();
  writeFileSync(join(workspace, 'missing-model.radprobe.json'), `${JSON.stringify(missingModelConfig, null, 2)}\n`);
  profile = mkdtempSync(join(tmpdir(), 'radprobe-vscode-profile-'));
  browserProfile = mkdtempSync(join(tmpdir(), 'radprobe-chromium-'));
  npm = recordingNpm();
  server = await startCodeServer(bin, join(packageDir, 'dist/radprobe.vsix'), profile, {
    // The workspace opens untrusted (restricted mode, no prompt); the first check trusts it.
    'security.workspace.trust.enabled': true,
    'security.workspace.trust.startupPrompt': 'never',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'telemetry.telemetryLevel': 'off',
    'git.enabled': false,
    'editor.codeLens': true,
    // The editor's terminals run the recording npm: the "Install …" quick fix must not reach the registry.
    'terminal.integrated.env.linux': { PATH: `${npm.binDir}:${process.env.PATH}` },
  });
  browser = await chromium.launchPersistentContext(browserProfile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  // The first load compiles the workbench's scripts: slow on a busy machine.
  await page.goto(server.url(workspace), { timeout: 120_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
}, 600_000);

// A failed check leaves a screenshot of the workbench beside the results one, for the CI artifacts, and closes
// what it left open (a menu, a quick pick, a hover) so that the next check starts from a usable workbench.
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail' || !page) return;
  mkdirSync(outputDir, { recursive: true });
  await page.screenshot({ path: join(outputDir, `failed-${context.task.name.replace(/\W+/g, '-')}.png`) });
  for (let press = 0; press < 3; press++) await page.keyboard.press('Escape');
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
  for (const dir of [workspace, profile, browserProfile, npm?.binDir]) if (dir) rmSync(dir, { recursive: true, force: true });
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

  it('says in its first log line what it does in an untrusted workspace, logs when trust is granted, and starts trusted after that', async () => {
    const untrusted = 'radprobe extension active in an untrusted workspace: shows configs, installed plugins and past results only; trust the workspace to run evaluations';
    // The view wraps long lines.
    const logText = async () => (await (await showLog()).innerText()).replace(/\s+/g, ' ');
    await expect.poll(logText, { timeout: 30_000 }).toContain(untrusted);
    await command('Workspaces: Manage Workspace Trust');
    await page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first().click();
    await command('View: Close Editor');
    await expect.poll(logText, { timeout: 30_000 }).toContain('workspace trusted: radprobe now runs evaluations, validates configs and loads plugins');
    // The next session of this workspace starts trusted.
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The new session's log file appears before its first line is written.
    await expect.poll(() => radprobeLogs()[1]?.split('\n')[0] ?? '', { timeout: 60_000 }).toMatch(
      /^\S+ \S+ \[info\] radprobe extension active in a trusted workspace: runs evaluations, validates configs and loads plugins$/,
    );
    const logs = radprobeLogs();
    expect(logs).toHaveLength(2);
    const [first] = logs;
    expect(first.split('\n')[0]).toMatch(new RegExp(`^\\S+ \\S+ \\[info\\] ${untrusted}$`));
    expect(first).toMatch(/^\S+ \S+ \[info\] workspace trusted: radprobe now runs evaluations, validates configs and loads plugins$/m);
    // The reloaded window may restore the Output panel, which would hide the lower half of the editor.
    if (await page.locator('.part.panel').isVisible()) await command('View: Hide Panel');
  }, 180_000);

  it('runs the config, shows one short CodeLens per entry, details in its tooltip and hover, and renders the results panel with charts', async () => {
    await page.locator('.pane-header', { hasText: 'radprobe-vscode-ws' }).click();
    await openFile('radprobe.json');
    await runFirstProtocol();

    const frame = await resultsFrame();
    expect(await frame.locator('canvas').count()).toBeGreaterThan(0);
    expect(await frame.locator('body').getAttribute('data-radprobe-themed')).toBe('true');
    // Chart.js drew into the canvas: its pixels are not all blank.
    expect(await frame.locator('canvas').first().evaluate((canvas) => (canvas as unknown as { toDataURL(): string }).toDataURL().length)).toBeGreaterThan(3000);
    expect(await frame.locator('table').count()).toBeGreaterThan(0);

    const lens = codeLens('kNN ·');
    await lens.first().waitFor({ timeout: 30_000 });
    // One lens for the entry's two cells: the best, "+1 more", its age; the interval, or (the demo's multi-label
    // set has rare classes) why it is unreliable: never a bare number, never `selected=true`.
    expect(await lens.count()).toBe(1);
    const title = await lens.innerText();
    expect(title).toMatch(/^kNN · vit-tiny-hf × synthetic-(nih|cxr): \S+ \d\.\d+ (\[\d\.\d+, \d\.\d+\]|\(interval unreliable: built from \d+ of \d+ resamples.*\)) · \+1 more · (just now|\d+ min ago)$/);
    expect(title).not.toContain('selected');
    // Its tooltip details both cells, each with its metric, run and age.
    const tooltip = (await lens.getAttribute('title')) ?? '';
    expect(tooltip.split('\n').slice(1)).toEqual([
      expect.stringMatching(/^vit-tiny-hf × synthetic-nih: AUROC \d\.\d+ .*\(k=\d+\) · run \d{8}-\d{6}-\w+, (just now|\d+ min ago)$/),
      expect.stringMatching(/^vit-tiny-hf × synthetic-cxr: \S+ \d\.\d+.* · run \d{8}-\d{6}-\w+, (just now|\d+ min ago)$/),
    ]);
    // The hover on the entry's kind: a table of every cell.
    await page.locator('.view-line span', { hasText: /^"knn"$/ }).first().hover();
    const hover = page.locator('.monaco-hover', { hasText: 'latest result of each cell' });
    await hover.waitFor({ timeout: 15_000 });
    expect(await hover.locator('table tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^vit-tiny-hf × synthetic-nih\s+AUROC/), expect.stringMatching(/^vit-tiny-hf × synthetic-cxr\s+/)]);
    await page.keyboard.press('Escape');
  }, 180_000);

  it("opens the entry's CodeLens on its cells: every cell's latest result, then the best cell's section, its charts drawn", async () => {
    await codeLens('kNN ·').click();
    const frame = await latestTableFrame(2);
    // Both cells of the entry are marked as the ones opened.
    expect(await frame.locator('.latest-by-cell tr.selected').count()).toBe(2);
    const best = (await codeLens('kNN ·').innerText()).match(/synthetic-(nih|cxr)/)![0];
    const selected = await selectedCellFrame(`vit-tiny-hf × ${best} × knn`);
    const counts = await selected.locator('body').evaluate((body) => ({ drawn: Number(body.dataset.chartsDrawn), expected: Number(body.dataset.chartsExpected), errors: body.dataset.chartErrors ?? null }));
    expect(counts).toMatchObject({ errors: null, drawn: counts.expected });
  }, 120_000);

  it('groups the Testing view protocol → backbone → dataset, with metric, interval and full names in each description', async () => {
    const tree = await testingTree();
    const ofConfig = rowsOfConfig(tree, 'radprobe.json');
    expect(ofConfig.slice(0, 5).map((row) => `${row.level} ${row.label}`)).toEqual(['1 radprobe.json', '2 knn', '3 vit-tiny-hf', '4 synthetic-nih', '4 synthetic-cxr']);
    expect(ofConfig[1].description).toMatch(/^best \S+ \d\.\d+ .* of 2 cells · knn$/);
    expect(ofConfig[3].description).toMatch(/^AUROC \d\.\d+ .*\(k=\d+\) · vit-tiny-hf × synthetic-nih × knn$/);
    // The explorer's tooltip (and aria-label) is the description with the state: the names in full.
    expect(ofConfig[4].aria).toMatch(/ · vit-tiny-hf × synthetic-cxr × knn \(Passed\)$/);
  }, 60_000);

  it("opens a Testing view item's report.html (its cell's curves, per-class table, confusion matrix) and results.csv, and goes to its config entry on double-click", async () => {
    await contextAction(leafRow('vit-tiny-hf × synthetic-nih × knn'), 'Open results: report.html');
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

    await contextAction(leafRow('vit-tiny-hf × synthetic-cxr × knn'), 'Open results: report.html');
    const cxr = await selectedCellFrame('vit-tiny-hf × synthetic-cxr × knn');
    expect(await cxr.locator('.selected-cell table.confusion').count()).toBe(2);
    expect(await cxr.locator('.selected-cell table.per-class thead').innerText()).toMatch(/sensitivity\s+specificity\s+PPV/);

    await contextAction(leafRow('vit-tiny-hf × synthetic-cxr × knn'), 'Open results: results.csv');
    await page.locator('.editor-group-container.active .tab.active', { hasText: 'results.csv' }).waitFor({ timeout: 15_000 });

    // Double-click: the editor at the dataset entry the cell's row names.
    const config = readFileSync(join(workspace, 'radprobe.json'), 'utf8');
    const entryLine = config.slice(0, config.indexOf('"kind": "image-folder"')).split('\n').length - 1;
    await leafRow('vit-tiny-hf × synthetic-cxr × knn').dblclick();
    await page.locator('.editor-group-container.active .tab.active', { hasText: /^radprobe\.json/ }).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('#status\\.editor\\.selection').innerText(), { timeout: 15_000 }).toMatch(new RegExp(`^Ln ${entryLine},`));
  }, 120_000);

  it("keeps every cell's latest result after a run of one cell from the Testing view: the lens and the panel add the runs up", async () => {
    const before = await (await latestTableFrame(2)).locator('.latest-by-cell tbody tr td:nth-child(3)').allInnerTexts();
    await contextAction(leafRow('vit-tiny-hf × synthetic-nih × knn'), /^Run Test$/);
    // The panel after the one-cell run: both cells, nih from the new run, cxr still from the first.
    const deadline = Date.now() + 120_000;
    let runs: string[] = before;
    while (Date.now() < deadline) {
      const frame = await latestTableFrame(2);
      runs = await frame.locator('.latest-by-cell tbody tr td:nth-child(3)').allInnerTexts().catch(() => before);
      if (runs[0] !== before[0]) break;
      await page.waitForTimeout(1000);
    }
    expect(runs[0]).not.toBe(before[0]);
    expect(runs[1]).toBe(before[1]);
    await openFile('radprobe.json');
    // The protocol entry is at the end of the file: lenses render for visible lines only.
    await page.keyboard.press('Control+End');
    await expect.poll(() => codeLens('kNN ·').innerText(), { timeout: 30_000 }).toContain('+1 more');
  }, 180_000);

  it('shows a run that stops (exit 2: a model file that does not exist) as errored cells, with the message in the peek, and logs it as an error', async () => {
    await openFile('missing-model.radprobe.json');
    await runFirstProtocol();
    // Both cells errored, neither passed nor left unmarked.
    for (const cell of ['vit-missing × synthetic-nih × knn', 'vit-missing × synthetic-cxr × knn']) {
      await expect.poll(async () => (await testingTree()).find((row) => row.aria.includes(cell))?.aria ?? '', { timeout: 90_000 }).toMatch(/\(Errored\)$/);
    }
    // Opening the errored cell peeks its message at the config entry.
    await leafRow('vit-missing × synthetic-cxr × knn').dblclick();
    const peek = page.locator('.test-output-peek');
    await expect.poll(() => peek.innerText().catch(() => ''), { timeout: 30_000 }).toMatch(/Model file .*models\/missing\/model\.onnx does not exist/);
    mkdirSync(outputDir, { recursive: true });
    await page.screenshot({ path: join(outputDir, 'vscode-testing-errored.png') });
    const log = await showLog();
    await expect.poll(() => log.innerText().catch(() => ''), { timeout: 15_000 }).toMatch(/\[error\]\s+radprobe\s+run\s+stopped:\s+backbone\s+"vit-missing"/);

    // "Rerun failed cells" on the config: each errored cell runs again, by itself.
    await command('Testing: Focus on Test Explorer View');
    await contextAction(testRows().filter({ hasText: 'missing-model.radprobe.json' }), 'Rerun failed cells');
    await showLog();
    await page.getByPlaceholder('Filter', { exact: true }).fill('--dataset synthetic-cxr');
    await expect.poll(() => log.innerText().catch(() => ''), { timeout: 60_000 }).toMatch(/--backbone\s+vit-missing\s+--dataset\s+synthetic-cxr\s+--protocol\s+knn/);
  }, 180_000);
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

/** The Problems view's rows. */
async function problems(): Promise<string[]> {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>View: Focus on Problems View');
  await page.keyboard.press('Enter');
  // The view keeps its filter text between checks, and keys meant for another view may have landed in it.
  const filter = page.locator('.viewpane-filter-container input:visible').first();
  if ((await filter.count()) > 0 && (await filter.inputValue()) !== '') await filter.fill('');
  return page.locator('.markers-panel .monaco-list-row').allInnerTexts();
}

describe('issue 19: history, comparison, diagnostics and readable heat maps', () => {
  it('keeps the confusion matrix text readable (4.5:1) on its heat colours in the dark and the light theme', async () => {
    await command('Testing: Focus on Test Explorer View');
    await contextAction(leafRow('vit-tiny-hf × synthetic-cxr × knn'), 'Open results: report.html');
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
    await runFirstProtocol();
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
    // Two things a user would not notice can void a click before it is made: VS Code replacing the webview's frame
    // while the panel settles (the same page again), and a workbench hover left open where the mouse last was,
    // lying over the link. The click is then made again, in the frame that shows the page now, the mouse moved off.
    const clickLink = async (showing: string, link: string) => {
      for (let attempt = 1; ; attempt++) {
        const frame = await frameShowing(showing);
        try {
          await frame.locator('nav.radprobe-run-nav a', { hasText: link }).click({ timeout: 10_000 });
          return;
        } catch (error) {
          if (attempt >= 5 || !/detached|intercepts pointer events/i.test(String(error))) throw error;
          await page.mouse.move(0, 0);
          await page.waitForTimeout(1_000);
        }
      }
    };
    const run = await frameShowing(`Run ${runId}`);
    // The run's own files, linked from the bar.
    expect(await run.locator('nav.radprobe-run-nav a').allInnerTexts()).toEqual(['Other run…', 'Compare with…', 'results.csv', 'report.html']);

    await clickLink(`Run ${runId}`, 'Compare with…');
    const choices = page.locator('.quick-input-list .monaco-list-row');
    await choices.first().waitFor();
    // The other runs of the results folder, not the one shown.
    const listed = await choices.allInnerTexts();
    expect(listed.length).toBeGreaterThanOrEqual(1);
    expect(listed.join('\n')).not.toContain(runId);
    // Clicked: keys may still go to the webview whose link opened the pick.
    await choices.first().click();
    const comparison = await frameShowing('Comparison of');
    expect(await comparison.locator('#radprobe-compare-data').count()).toBe(1);
    expect(await comparison.locator('nav.radprobe-run-nav').innerText()).toContain(runId);
    await clickLink('Comparison of', runId);
    await frameShowing(`Run ${runId}`);
  }, 240_000);

  it('shows an option key\'s own description on hover, and the kind\'s description once', async () => {
    await openFile('radprobe.json');
    const hoverOver = async (word: RegExp) => {
      await page.locator('.view-lines span', { hasText: word }).last().hover();
      const contents = page.locator('.monaco-hover-content').filter({ hasText: /\S/ });
      await contents.last().waitFor({ timeout: 30_000 });
      await expect.poll(async () => (await contents.allInnerTexts()).join('\n')).not.toContain('Loading');
      // Every part of the hover: the schema's description, and on a protocol's kind the latest results as well.
      const text = (await contents.allInnerTexts()).join('\n');
      await page.mouse.move(5, 500);
      return text;
    };
    expect(await hoverOver(/^"k"$/)).toMatch(/^Neighbour counts, one result row each\./m);
    const kind = await hoverOver(/^"knn"$/);
    expect(kind).toMatch(/^Which protocol this entry is/m);
    expect(kind.split('kNN (protocol from @radprobe/protocol-knn').length - 1).toBe(1);
  }, 90_000);

  it('marks paths that do not exist and unset variables before any run, and offers "Change to \'knn\'" for a misspelt kind', async () => {
    writeConfig('paths.radprobe.json', {
      backbones: [{ kind: 'onnx', name: 'vit', model: 'models/missing.onnx' }],
      datasets: [{ kind: 'image-folder', name: 'cxr', root: 'data/missing' }],
      protocols: [{ kind: 'knn' }],
    });
    writeConfig('typo.radprobe.json', {
      backbones: [{ kind: 'onnx', name: 'vit', model: 'models/vit-tiny-hf/onnx/model.onnx' }],
      datasets: [{ kind: 'image-folder', name: 'cxr', root: '${env:RADPROBE_TEST_UNSET}/cxr' }],
      protocols: [{ kind: 'knnn' }],
    });
    // Earlier checks left the Testing view in front.
    await command('View: Show Explorer');
    await openFromExplorer('paths.radprobe.json');
    await openFromExplorer('typo.radprobe.json');
    await expect.poll(problems, { timeout: 90_000, interval: 2_000 }).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Model file .*models\/missing\.onnx does not exist/),
        expect.stringMatching(/folder not found: .*data\/missing/),
        expect.stringMatching(/environment variable RADPROBE_TEST_UNSET is not set/),
        expect.stringContaining("no installed plugin provides the protocol kind 'knnn'"),
      ]),
    );

    await openFromExplorer('typo.radprobe.json');
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
  it(`offers "Install ${notInstalledPlugin.packageName}" for its kind, and runs npm for it in a terminal in the config's folder`, async () => {
    writeConfig('fewshot.radprobe.json', { ...smallConfig('few-shot'), protocols: [{ kind: notInstalledPlugin.kind }] });
    await command('View: Show Explorer');
    await openFromExplorer('fewshot.radprobe.json');
    await expect.poll(problems, { timeout: 90_000, interval: 2_000 }).toEqual(
      expect.arrayContaining([expect.stringContaining(`no installed plugin provides the protocol kind '${notInstalledPlugin.kind}': install it with \`npm install --save-dev ${notInstalledPlugin.packageName}\``)]),
    );
    await openFromExplorer('fewshot.radprobe.json');
    // The protocols come last, below what the editor shows beside the Problems view.
    await page.keyboard.press('Control+End');
    await page.locator('.view-lines span', { hasText: `"${notInstalledPlugin.kind}"` }).last().click();
    await page.keyboard.press('Control+.');
    const install = `Install ${notInstalledPlugin.packageName}`;
    await page.locator('.action-widget .monaco-list-row', { hasText: install }).waitFor({ timeout: 30_000 });
    // Chosen by keyboard: the widget blocks pointer events while it settles.
    const focused = page.locator('.action-widget .monaco-list-row.focused');
    for (let step = 0; step < 5 && !(await focused.innerText()).includes(install); step++) await page.keyboard.press('ArrowDown');
    expect(await focused.innerText()).toContain(install);
    await page.keyboard.press('Enter');
    await expect.poll(() => (existsSync(npm.calls) ? readFileSync(npm.calls, 'utf8') : ''), { timeout: 60_000 }).toBe(`${workspace} install --save-dev ${notInstalledPlugin.packageName}\n`);
  }, 180_000);

  it('cancels a run at once: the status bar stops counting within a second, and the cells it did not finish are skipped', async () => {
    // Its own cache: the run embeds every image, long enough to be cancelled midway.
    writeConfig('cancel.radprobe.json', { ...smallConfig('cancelled run'), output: 'results-cancel', cache: 'cache-cancel' });
    await command('View: Show Explorer');
    await openFromExplorer('cancel.radprobe.json');
    await runFirstProtocol();
    const status = page.locator('.statusbar-item', { hasText: 'radprobe: ' });
    await expect.poll(() => status.innerText().catch(() => ''), { timeout: 60_000, interval: 100 }).toMatch(/images embedded \d+\/\d+/);
    await status.click();
    await expect.poll(() => status.innerText().catch(() => ''), { timeout: 1_000, interval: 50 }).toContain('cancelling: stops after the current batch');
    // It stops counting: the text stays until the runner has exited, and then the item goes.
    await page.waitForTimeout(500);
    expect(await status.innerText({ timeout: 1_000 }).catch(() => 'gone')).toMatch(/cancelling: stops after the current batch|^gone$/);
    await page.locator('.notifications-toasts .notification-list-item', { hasText: 'radprobe run cancelled' }).waitFor({ timeout: 60_000 });
    const cells = rowsOfConfig(await testingTree(), 'cancel.radprobe.json').filter((row) => row.level === 4);
    expect(cells.map((row) => row.aria)).toEqual([
      expect.stringMatching(/ · vit-tiny-hf × synthetic-nih × knn \(Skipped\)$/),
      expect.stringMatching(/ · vit-tiny-hf × synthetic-cxr × knn \(Skipped\)$/),
    ]);
  }, 180_000);
});
