import * as vscode from 'vscode';
import { configEntryLocations, type ConfigEntryLocation } from '../config/entry-locations.js';
import { configCells } from '../testing/cell-items.js';
import { latestOf, type LatestByCell, type LatestCellResult } from './latest-by-cell.js';
import { cellDetail, entryDetailsMarkdown, entryLabel, entryLensTitle } from './lens-text.js';
import type { ResultsStore } from './results-store.js';

/** The latest result of each cell of a protocol entry, in the config's cell order. */
function entryResults(entries: readonly ConfigEntryLocation[], protocol: ConfigEntryLocation, latest: LatestByCell): LatestCellResult[] {
  return latestOf(latest, configCells(entries).filter((cell) => cell.protocol === protocol.name));
}

/**
 * Over each protocol entry of a config, in a trusted workspace "Run this protocol", and one short lens with the
 * latest results of its cells, merged across runs ("kNN · vit × nih: AUROC 0.71 [0.69, 0.73] · +3 more · 2 min
 * ago"): its tooltip lists every cell, and clicking it opens those cells in the results panel.
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
    const entries = configEntryLocations(document.getText());
    const protocols = entries.filter((entry) => entry.section === 'protocols');
    if (protocols.length === 0) return [];
    const latest = await this.store.latestByCell(document.uri);
    const now = new Date();
    const lenses: vscode.CodeLens[] = [];
    for (const entry of protocols) {
      const range = new vscode.Range(document.positionAt(entry.offset), document.positionAt(entry.offset));
      if (vscode.workspace.isTrusted) {
        lenses.push(new vscode.CodeLens(range, { title: '$(play) Run this protocol', command: 'radprobe.runProtocol', arguments: [document.uri, entry.name] }));
      }
      const results = entryResults(entries, entry, latest);
      const title = entryLensTitle(entryLabel(entry.name, entry.kind), results, now);
      if (!title) continue;
      const tooltip = ['Latest result of each cell (click: show them in the results panel)', ...results.map((result) => cellDetail(result, now))].join('\n');
      lenses.push(new vscode.CodeLens(range, { title, command: 'radprobe.showResults', arguments: [document.uri, undefined, undefined, entry.name], tooltip }));
    }
    return lenses;
  }
}

/**
 * The same details as a hover, on a protocol entry's `kind` value: a table of every cell's latest metric and
 * interval, run and age.
 */
export class ResultsHoverProvider implements vscode.HoverProvider {
  constructor(private readonly store: ResultsStore) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const entries = configEntryLocations(document.getText());
    const offset = document.offsetAt(position);
    const entry = entries.find((candidate) => candidate.section === 'protocols' && offset >= candidate.kindOffset && offset <= candidate.kindOffset + candidate.kindLength);
    if (!entry) return undefined;
    const results = entryResults(entries, entry, await this.store.latestByCell(document.uri));
    if (results.length === 0) return undefined;
    const markdown = new vscode.MarkdownString(entryDetailsMarkdown(entryLabel(entry.name, entry.kind), results, new Date()));
    return new vscode.Hover(markdown, new vscode.Range(document.positionAt(entry.kindOffset), document.positionAt(entry.kindOffset + entry.kindLength)));
  }
}
