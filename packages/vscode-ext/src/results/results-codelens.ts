import * as vscode from 'vscode';
import { configEntryLocations } from '../config/entry-locations.js';
import { protocolLensCells, protocolLensTitles } from './lens-text.js';
import { newestRunWith } from './run-history.js';
import type { ResultsStore } from './results-store.js';

/**
 * Over each protocol entry of a config: its latest result per cell ("kNN · AUROC 0.71 [0.69, 0.73] · 2 min
 * ago", opening the results panel on that cell's charts) and, in a trusted workspace, "Run this protocol".
 */
export class ResultsCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly store: ResultsStore) {
    store.onDidChange(() => this.changed.fire());
    // "2 min ago" ages: redraw every minute.
    setInterval(() => this.changed.fire(), 60_000).unref();
  }

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const protocols = configEntryLocations(document.getText()).filter((entry) => entry.section === 'protocols');
    if (protocols.length === 0) return [];
    const history = await this.store.history(document.uri);
    const now = new Date();
    const lenses: vscode.CodeLens[] = [];
    for (const entry of protocols) {
      const range = new vscode.Range(document.positionAt(entry.offset), document.positionAt(entry.offset));
      if (vscode.workspace.isTrusted) {
        lenses.push(new vscode.CodeLens(range, { title: '$(play) Run this protocol', command: 'radprobe.runProtocol', arguments: [document.uri, entry.name] }));
      }
      const run = newestRunWith(history, entry.name);
      if (!run) continue;
      const cells = protocolLensCells(run.results, entry.name);
      protocolLensTitles(run.results, entry.name, entry.kind, now).forEach((title, i) => {
        const cell = { backbone: cells[i].backbone, dataset: cells[i].dataset, protocol: cells[i].protocol };
        lenses.push(new vscode.CodeLens(range, { title, command: 'radprobe.showResults', arguments: [document.uri, run.dir, cell], tooltip: `this cell's charts from run ${run.results.runId}` }));
      });
    }
    return lenses;
  }
}
