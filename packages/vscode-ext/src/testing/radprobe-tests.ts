import { readFile } from 'node:fs/promises';
import type { CellResult, RunEvent } from '@radprobe/core';
import * as vscode from 'vscode';
import { findConfigs } from '../config/config-files.js';
import { configEntryLocations } from '../config/entry-locations.js';
import { cellSummary } from '../results/lens-text.js';
import type { ResultsStore } from '../results/results-store.js';
import type { CellFilter } from '../run/run-arguments.js';
import { cellId, cellLabel, configCells, type CellKey } from './cell-items.js';

/** What a run reports to the Testing view. */
export interface TestRunTracker {
  onEvent(event: RunEvent): void;
  end(): void;
}

/** Starts a run of `config` restricted to `only`, reporting to the given test run. */
export type RunConfig = (config: vscode.Uri, only: CellFilter, tests: TestRunTracker, token: vscode.CancellationToken) => Promise<void>;

/**
 * The Testing view: each config, and under it each backbone × dataset × protocol cell as a test item. Passed
 * means the cell completed, failed that it failed (skipped cells are skipped); the message carries the metrics.
 */
export class RadprobeTests implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('radprobe', 'radprobe');

  constructor(private readonly store: ResultsStore, runConfig: RunConfig) {
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.load();
    };
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, async (request, token) => {
      const roots = request.include ?? [...this.configItems()];
      for (const item of roots) {
        if (token.isCancellationRequested) return;
        const config = item.uri;
        if (!config) continue;
        const only = item.parent ? (this.cellOf(item) ?? {}) : {};
        await runConfig(config, only, this.beginRun(config, request), token);
      }
    });
  }

  private *configItems(): Iterable<vscode.TestItem> {
    for (const [, item] of this.controller.items) yield item;
  }

  private readonly cells = new Map<string, CellKey>();

  private cellOf(item: vscode.TestItem): CellKey | undefined {
    return this.cells.get(item.id);
  }

  /** Builds the items from the configs in the workspace and shows each cell's latest outcome. */
  async load(): Promise<void> {
    const configs = await findConfigs();
    this.controller.items.replace([]);
    const outcomes = this.controller.createTestRun(new vscode.TestRunRequest(), 'latest results', false);
    for (const config of configs) {
      const text = await readFile(config.fsPath, 'utf8').catch(() => '');
      const configItem = this.controller.createTestItem(config.fsPath, vscode.workspace.asRelativePath(config), config);
      this.controller.items.add(configItem);
      const history = await this.store.history(config);
      const document = await vscode.workspace.openTextDocument(config);
      for (const cell of configCells(configEntryLocations(text))) {
        const item = this.controller.createTestItem(cellId(config.fsPath, cell), cellLabel(cell), config);
        item.range = new vscode.Range(document.positionAt(cell.protocolEntry.offset), document.positionAt(cell.protocolEntry.offset));
        this.cells.set(item.id, cell);
        configItem.children.add(item);
        const latest = history
          .flatMap((run) => run.results.cells)
          .find((result) => result.backbone === cell.backbone && result.dataset === cell.dataset && result.protocol === cell.protocol);
        if (latest) report(outcomes, item, latest);
      }
    }
    outcomes.end();
  }

  /** A test run for one run of the extension's: cells are marked as their `cell-end` events arrive. */
  beginRun(config: vscode.Uri, request = new vscode.TestRunRequest()): TestRunTracker {
    const run = this.controller.createTestRun(request, `radprobe ${vscode.workspace.asRelativePath(config)}`, true);
    const configItem = this.controller.items.get(config.fsPath);
    const itemFor = (cell: CellKey) => configItem?.children.get(cellId(config.fsPath, cell));
    return {
      onEvent: (event) => {
        if (event.type === 'stage' && event.stage === 'protocol' && event.backbone && event.dataset && event.protocol) {
          const item = itemFor({ backbone: event.backbone, dataset: event.dataset, protocol: event.protocol });
          if (item) run.started(item);
        }
        if (event.type === 'log') run.appendOutput(`${event.message}\r\n`);
        if (event.type !== 'cell-end') return;
        const item = itemFor(event);
        if (!item) return;
        if (event.status === 'completed') run.passed(item);
        else if (event.status === 'skipped') run.skipped(item);
        else run.failed(item, new vscode.TestMessage(event.summary));
        run.appendOutput(`${cellLabel(event)}: ${event.summary}\r\n`, undefined, item);
      },
      end: () => run.end(),
    };
  }

  dispose(): void {
    this.controller.dispose();
  }
}

function report(run: vscode.TestRun, item: vscode.TestItem, cell: CellResult): void {
  const summary = cellSummary(cell);
  if (cell.status === 'completed') {
    run.passed(item, cell.durationMs);
    run.appendOutput(`${cellLabel(cell)}: ${summary}\r\n`, undefined, item);
  } else if (cell.status === 'skipped') run.skipped(item);
  else run.failed(item, new vscode.TestMessage(summary), cell.durationMs);
}
