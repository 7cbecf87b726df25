import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { log } from '../log.js';
import type { PluginIndex } from '../plugins/plugin-index.js';
import { readSettings } from '../settings.js';
import { runToEnd } from '../spawn/child-process.js';
import { resolveRunner } from '../spawn/resolve-cli.js';
import { isConfigDocument } from './config-files.js';
import { issueSpan, issuesForEditor } from './validate-report.js';

/** `radprobe validate --json`'s exit code when the config has issues (it printed them). */
const HAS_ISSUES_EXIT_CODE = 1;

/**
 * Diagnostics from `radprobe validate --json` on each config, before anything runs: files and folders it names
 * that do not exist, models not in the store, unset `${env:…}` variables. The CLI's own checks, run in the user's
 * Node from the workspace (they load plugins to learn which options are paths), so only in a trusted workspace;
 * when a config is opened or saved, when the plugins change and when trust is granted. Validate reads the file on
 * disk; each issue is placed at its JSON pointer in the text as it is now.
 */
export class ConfigValidation implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('radprobe validate');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  /** The latest check of each config, so that an older one finishing late does not overwrite it. */
  private readonly latest = new Map<string, number>();
  private checks = 0;

  constructor(index: PluginIndex) {
    this.disposables.push(
      index.onDidChange(() => this.checkOpenConfigs()),
      vscode.workspace.onDidOpenTextDocument((document) => void this.check(document)),
      vscode.workspace.onDidSaveTextDocument((document) => void this.check(document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.collection.delete(document.uri)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.checkOpenConfigs()),
    );
    this.checkOpenConfigs();
  }

  private checkOpenConfigs(): void {
    vscode.workspace.textDocuments.forEach((document) => void this.check(document));
  }

  private async check(document: vscode.TextDocument): Promise<void> {
    if (!isConfigDocument(document) || !vscode.workspace.isTrusted) return;
    const key = document.uri.toString();
    const check = ++this.checks;
    this.latest.set(key, check);
    const folder = dirname(document.uri.fsPath);
    let stdout: string;
    try {
      const runner = resolveRunner(folder, readSettings(document.uri));
      stdout = await runToEnd(runner, ['validate', document.uri.fsPath, '--json'], folder, (line) => log.info(`$ ${line}`), [0, HAS_ISSUES_EXIT_CODE]);
    } catch (error) {
      // No runner, or a config validate cannot check at all (a plugin that fails to load): the log says why.
      log.warn(`radprobe validate: ${(error as Error).message}`);
      if (this.latest.get(key) === check) this.collection.delete(document.uri);
      return;
    }
    if (this.latest.get(key) !== check) return;
    const text = document.getText();
    const diagnostics = issuesForEditor(stdout).flatMap((issue) => {
      const span = issueSpan(text, issue.pointer);
      if (!span) return [];
      const range = new vscode.Range(document.positionAt(span.offset), document.positionAt(span.offset + span.length));
      const diagnostic = new vscode.Diagnostic(range, issue.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'radprobe validate';
      diagnostic.code = issue.check;
      return [diagnostic];
    });
    this.collection.set(document.uri, diagnostics);
  }

  dispose(): void {
    this.disposables.forEach((disposable) => disposable.dispose());
  }
}
