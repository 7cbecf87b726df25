import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { configEntryLocations } from '../config/entry-locations.js';
import { cellKey, configCells } from '../testing/cell-items.js';
import { readLatestByCell, type LatestByCell } from './latest-by-cell.js';
import { outputDirOf, readRunHistory, type FinishedRun } from './run-history.js';

/**
 * Each config's finished runs, and the latest result of each of its cells across them, read from its output folder
 * (reading results is allowed in untrusted workspaces: it is data). Reloaded when a results.json appears or
 * changes anywhere in the workspace.
 */
export class ResultsStore implements vscode.Disposable {
  private readonly histories = new Map<string, Promise<FinishedRun[]>>();
  private readonly latest = new Map<string, Promise<LatestByCell>>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/results.json');
  readonly onDidChange = this.changed.event;

  constructor() {
    const reload = () => this.invalidate();
    this.watcher.onDidCreate(reload);
    this.watcher.onDidChange(reload);
    this.watcher.onDidDelete(reload);
  }

  /** The config's finished runs, newest first. */
  async history(config: vscode.Uri): Promise<FinishedRun[]> {
    const outputDir = outputDirOf(config.fsPath, await configText(config));
    return cached(this.histories, outputDir, () => readRunHistory(outputDir));
  }

  /**
   * The latest result of each cell the config has now, from whichever run has it (`latest-by-cell.ts`); kept per
   * output folder and set of cells, so that an edit of the config that adds a cell reads again.
   */
  async latestByCell(config: vscode.Uri): Promise<LatestByCell> {
    const text = await configText(config);
    const outputDir = outputDirOf(config.fsPath, text);
    const cells = configCells(configEntryLocations(text));
    return cached(this.latest, `${outputDir}\n${cells.map(cellKey).join('\n')}`, () => readLatestByCell(outputDir, cells));
  }

  /** Forgets what was read, e.g. after a run of the extension's own ended, or when a config's entries change. */
  invalidate(): void {
    this.histories.clear();
    this.latest.clear();
    this.changed.fire();
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}

/** The config's text: the editor's when it is open (unsaved edits included), else the file's. */
export async function configText(config: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.fsPath === config.fsPath);
  return open ? open.getText() : readFile(config.fsPath, 'utf8').catch(() => '');
}

function cached<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  const found = cache.get(key);
  if (found) return found;
  const reading = read();
  cache.set(key, reading);
  return reading;
}
