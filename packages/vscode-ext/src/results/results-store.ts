import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { outputDirOf, readRunHistory, type FinishedRun } from './run-history.js';

/**
 * Each config's finished runs, read from its output folder (reading results is allowed in untrusted workspaces:
 * it is data). Reloaded when a results.json appears or changes anywhere in the workspace.
 */
export class ResultsStore implements vscode.Disposable {
  private readonly histories = new Map<string, FinishedRun[]>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/results.json');
  readonly onDidChange = this.changed.event;

  constructor() {
    const reload = () => {
      this.histories.clear();
      this.changed.fire();
    };
    this.watcher.onDidCreate(reload);
    this.watcher.onDidChange(reload);
    this.watcher.onDidDelete(reload);
  }

  /** The config's finished runs, newest first. */
  async history(config: vscode.Uri): Promise<FinishedRun[]> {
    const cached = this.histories.get(config.fsPath);
    if (cached) return cached;
    const open = vscode.workspace.textDocuments.find((document) => document.uri.fsPath === config.fsPath);
    const text = open ? open.getText() : await readFile(config.fsPath, 'utf8').catch(() => '');
    const runs = await readRunHistory(outputDirOf(config.fsPath, text));
    this.histories.set(config.fsPath, runs);
    return runs;
  }

  /** Forgets what was read, e.g. after a run of the extension's own ended. */
  invalidate(): void {
    this.histories.clear();
    this.changed.fire();
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}
