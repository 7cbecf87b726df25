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
import { ResultsCodeLensProvider } from './results/results-codelens.js';
import { ResultsPanel } from './results/results-panel.js';
import { registerRunNavigation } from './results/run-navigation.js';
import { ResultsStore } from './results/results-store.js';
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
  const session = new RunSession(async (runDir, runId) => {
    store.invalidate();
    await panel.show(runDir, runId);
  });
  const tests = new RadprobeTests(store, (config, only, tracker, token) => session.run(config, only, tracker, token));
  const pluginDiagnostics = new PluginDiagnostics(index);
  const configSelector: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/{radprobe.json,*.radprobe.json}' }];

  const showResults = async (config?: vscode.Uri, runDir?: string, cell?: CellKey) => {
    const target = await chooseConfig(config);
    if (!target) return void vscode.window.showWarningMessage('radprobe: no config in this workspace');
    const run = runDir ? (await store.history(target)).find((candidate) => candidate.dir === runDir) : (await store.history(target))[0];
    if (!run) return void vscode.window.showWarningMessage(`radprobe: ${vscode.workspace.asRelativePath(target)} has no finished run yet`);
    await panel.show(run.dir, run.results.runId, cell);
  };

  const runCommand = async (config: vscode.Uri | undefined, protocol?: string) => {
    const target = await chooseConfig(config);
    if (!target) return void vscode.window.showWarningMessage('radprobe: no config in this workspace');
    await tests.load();
    await session.run(target, protocol ? { protocol } : {}, tests.beginRun(target));
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
    vscode.commands.registerCommand('radprobe.run', (config?: vscode.Uri) => runCommand(config)),
    vscode.commands.registerCommand('radprobe.runProtocol', (config: vscode.Uri | undefined, protocol: string) => runCommand(config, protocol)),
    vscode.commands.registerCommand('radprobe.cancel', () => session.cancel()),
    vscode.commands.registerCommand('radprobe.showResults', showResults),
    vscode.commands.registerCommand('radprobe.refreshPlugins', () => index.rescan()),
    vscode.commands.registerCommand('radprobe.showLog', () => log.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('radprobe')) {
        void backend.refresh();
        void index.rescan();
      }
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
