import { join } from 'node:path';
import * as vscode from 'vscode';
import { BackendStatus } from './backend/backend-status.js';
import { findConfigs, isConfigDocument } from './config/config-files.js';
import { ConfigValidation } from './config/config-validation.js';
import { SchemaProvider } from './config/schema-provider.js';
import { log } from './log.js';
import { activationLine, trustGrantedLine } from './trust-lines.js';
import { installPluginInTerminal, MissingPluginFixes } from './plugins/missing-plugin-fixes.js';
import { PluginDiagnostics } from './plugins/plugin-diagnostics.js';
import { PluginIndex } from './plugins/plugin-index.js';
import { PluginTreeProvider } from './plugins/plugin-tree.js';
import { ResultsCodeLensProvider, ResultsHoverProvider } from './results/results-codelens.js';
import { ResultsPanel } from './results/results-panel.js';
import { registerRunNavigation } from './results/run-navigation.js';
import { ResultsStore } from './results/results-store.js';
import { resultsView } from './results/results-view.js';
import type { CellFilter } from './run/run-arguments.js';
import { RunSession } from './run/run-session.js';
import type { CellKey } from './testing/cell-items.js';
import { RadprobeTests } from './testing/radprobe-tests.js';

/** The config a command applies to: the one given, the active editor's, the only one, or the one the user picks. */
async function chooseConfig(given?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (given instanceof vscode.Uri) return given;
  const active = vscode.window.activeTextEditor?.document;
  if (active && isConfigDocument(active)) return active.uri;
  const configs = await findConfigs();
  if (configs.length <= 1) return configs[0];
  const picked = await vscode.window.showQuickPick(
    configs.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder: 'radprobe config to use' },
  );
  return picked?.uri;
}

export function activate(context: vscode.ExtensionContext): void {
  log.info(activationLine(vscode.workspace.isTrusted));
  const index = new PluginIndex();
  const store = new ResultsStore();
  const panel = new ResultsPanel();
  const backend = new BackendStatus();
  const schema = new SchemaProvider(context.globalStorageUri.fsPath, index);
  const lenses = new ResultsCodeLensProvider(store);
  const showResults = async (config?: vscode.Uri, runDir?: string, cell?: CellKey, protocol?: string) => {
    const target = await chooseConfig(config);
    if (!target) return void vscode.window.showWarningMessage('radprobe: no config in this workspace');
    const view = await resultsView(store, target, { runDir, cell, protocol });
    if (!view) return void vscode.window.showWarningMessage(`radprobe: ${vscode.workspace.asRelativePath(target)} has no finished run yet`);
    await panel.show(view.runDir, view.runId, view.cell, view.before);
  };
  const session = new RunSession(async (config, runDir) => {
    store.invalidate();
    await showResults(config, runDir);
  });
  const tests = new RadprobeTests(store, (config, only, tracker, token) => session.run(config, only, tracker, token));
  const pluginDiagnostics = new PluginDiagnostics(index);
  const configSelector: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/{radprobe.json,*.radprobe.json}' }];

  const runCommand = async (config: vscode.Uri | undefined, protocol?: string) => {
    const target = await chooseConfig(config);
    if (!target) return void vscode.window.showWarningMessage('radprobe: no config in this workspace');
    const only: CellFilter = protocol ? { protocol } : {};
    await tests.load();
    await session.run(target, only, tests.beginRun(target, only));
  };

  /** The latest report (in the results panel) or results.csv of a Testing view item's cells. */
  const openItemResults = async (item: vscode.TestItem | undefined, file: 'report.html' | 'results.csv') => {
    const found = item ? await tests.latestRunOf(item) : undefined;
    if (!found) return void vscode.window.showWarningMessage(`radprobe: ${item?.label ?? 'this item'} has no result yet`);
    if (file === 'report.html') return showResults(found.config, found.runDir, found.cell);
    await vscode.window.showTextDocument(vscode.Uri.file(join(found.runDir, 'results.csv')), { preview: true });
  };

  context.subscriptions.push(
    log,
    index,
    store,
    panel,
    backend,
    schema,
    session,
    tests,
    pluginDiagnostics,
    registerRunNavigation(panel, (context.storageUri ?? context.globalStorageUri).fsPath),
    new ConfigValidation(index),
    vscode.languages.registerCodeActionsProvider(configSelector, new MissingPluginFixes((uri, offset) => pluginDiagnostics.missingAt(uri, offset)), MissingPluginFixes.metadata),
    vscode.commands.registerCommand('radprobe.installPlugin', (packageName: string, folder: string) => installPluginInTerminal(packageName, folder)),
    vscode.window.registerTreeDataProvider('radprobe.plugins', new PluginTreeProvider(index)),
    vscode.workspace.registerTextDocumentContentProvider('radprobe-schema', schema),
    vscode.languages.registerCodeLensProvider(configSelector, lenses),
    vscode.languages.registerHoverProvider(configSelector, new ResultsHoverProvider(store)),
    vscode.commands.registerCommand('radprobe.run', (config?: vscode.Uri) => runCommand(config)),
    vscode.commands.registerCommand('radprobe.runProtocol', (config: vscode.Uri | undefined, protocol: string) => runCommand(config, protocol)),
    vscode.commands.registerCommand('radprobe.cancel', () => session.cancel()),
    vscode.commands.registerCommand('radprobe.showResults', showResults),
    vscode.commands.registerCommand('radprobe.refreshPlugins', () => index.rescan()),
    vscode.commands.registerCommand('radprobe.showLog', () => log.show(true)),
    vscode.commands.registerCommand('radprobe.rerunFailed', (item?: vscode.TestItem) => tests.rerunFailed(item)),
    vscode.commands.registerCommand('radprobe.openReport', (item?: vscode.TestItem) => openItemResults(item, 'report.html')),
    vscode.commands.registerCommand('radprobe.openResultsCsv', (item?: vscode.TestItem) => openItemResults(item, 'results.csv')),
    store.onDidChange(() => void tests.refreshDescriptions()),
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (isConfigDocument(document) && !session.running) void tests.load();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('radprobe')) {
        void backend.refresh();
        void index.rescan();
      }
      if (event.affectsConfiguration('radprobe.testing.groupBy') && !session.running) void tests.load();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info(trustGrantedLine);
      void backend.refresh();
      schema.refresh();
      lenses.refresh();
    }),
  );
  void backend.refresh();
  void tests.load();
}

export function deactivate(): void {}
