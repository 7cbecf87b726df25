import type { RunEvent } from '@radprobe/core';
import * as vscode from 'vscode';
import { findConfigs } from '../config/config-files.js';
import { configEntryLocations } from '../config/entry-locations.js';
import type { LatestByCell, LatestCellResult } from '../results/latest-by-cell.js';
import { bestResult, cellSummary } from '../results/lens-text.js';
import { configText, type ResultsStore } from '../results/results-store.js';
import type { RunEnding } from '../run/run-ending.js';
import type { CellFilter } from '../run/run-arguments.js';
import { cellKey, cellLabel, configCells, type CellKey } from './cell-items.js';
import { CellRunTracker, type TestRunSink } from './cell-run-tracker.js';
import { cellTree, groupingOf, type CellTreeNode } from './test-tree.js';

/** What a run reports to the Testing view. */
export interface TestRunTracker {
  onEvent(event: RunEvent): void;
  end(ending: RunEnding): void;
}

/** Starts a run of `config` restricted to `only`, reporting to the given test run. */
export type RunConfig = (config: vscode.Uri, only: CellFilter, tests: TestRunTracker, token: vscode.CancellationToken) => Promise<void>;

/** The last outcome the Testing view showed for a cell. */
type CellState = 'passed' | 'failed' | 'errored' | 'skipped';

/** What an item of the tree stands for: a config (no node), or a node of its cell tree. */
interface ItemMeaning {
  config: vscode.Uri;
  node?: CellTreeNode;
  /** The names from the config down to this node. */
  path: string[];
}

/**
 * The Testing view: each config, and under it its cells grouped as `radprobe.testing.groupBy` says (protocol →
 * backbone → dataset by default), each item at its config entry, its description the latest metric and interval
 * (from any run) and the full names (the explorer's tooltip is the description). A run marks its cells passed,
 * failed, skipped or errored (`cell-run-tracker.ts`), never leaving a cell it did not evaluate as it was.
 */
export class RadprobeTests implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('radprobe', 'radprobe');
  private readonly meanings = new WeakMap<vscode.TestItem, ItemMeaning>();
  /** Per config, its leaves by cell key. */
  private readonly leaves = new Map<string, Map<string, vscode.TestItem>>();
  /** Each cell's last outcome, by config and cell key (items are rebuilt when the configs are read again). */
  private readonly states = new Map<string, CellState>();
  private shownLatest = false;

  constructor(
    private readonly store: ResultsStore,
    private readonly runConfig: RunConfig,
  ) {
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.load();
    };
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.runRequest(request, token), true);
  }

  /** Runs each included item (every config when none is), its cells but the excluded ones. */
  private async runRequest(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const roots = request.include ?? [...this.configItems()];
    const excluded = new Set(request.exclude ?? []);
    for (const item of roots) {
      if (token.isCancellationRequested) return;
      const meaning = this.meanings.get(item);
      if (!meaning) continue;
      const requested = this.leavesUnder(item).filter((leaf) => !excluded.has(leaf));
      await this.runConfig(meaning.config, meaning.node?.filter ?? {}, this.trackerFor(meaning.config, requested, request), token);
    }
  }

  private *configItems(): Iterable<vscode.TestItem> {
    for (const [, item] of this.controller.items) yield item;
  }

  private leavesUnder(item: vscode.TestItem): vscode.TestItem[] {
    if (item.children.size === 0) return this.meanings.get(item)?.node ? [item] : [];
    const found: vscode.TestItem[] = [];
    item.children.forEach((child) => found.push(...this.leavesUnder(child)));
    return found;
  }

  /** Builds the items from the configs in the workspace, each described by its cells' latest results. */
  async load(): Promise<void> {
    const grouping = groupingOf(vscode.workspace.getConfiguration('radprobe').get('testing.groupBy'));
    const configs = await findConfigs();
    const items: vscode.TestItem[] = [];
    const latestShown: Array<{ item: vscode.TestItem; latest: LatestCellResult }> = [];
    this.leaves.clear();
    for (const config of configs) {
      const document = await vscode.workspace.openTextDocument(config);
      const cells = configCells(configEntryLocations(document.getText()));
      const latest = await this.store.latestByCell(config);
      const configItem = this.controller.createTestItem(config.fsPath, vscode.workspace.asRelativePath(config), config);
      this.meanings.set(configItem, { config, path: [] });
      const leaves = new Map<string, vscode.TestItem>();
      this.leaves.set(config.fsPath, leaves);
      const add = (parent: vscode.TestItemCollection, nodes: CellTreeNode[], path: string[]) => {
        for (const node of nodes) {
          const item = this.controller.createTestItem(node.id, node.name, config);
          item.range = new vscode.Range(document.positionAt(node.entry.offset), document.positionAt(node.entry.offset + node.entry.length));
          const meaning = { config, node, path: [...path, node.name] };
          item.description = describe(meaning, latest);
          this.meanings.set(item, meaning);
          parent.add(item);
          if (node.children.length > 0) add(item.children, node.children, [...path, node.name]);
          else {
            leaves.set(node.id, item);
            const result = latest.get(node.id);
            if (result) latestShown.push({ item, latest: result });
          }
        }
      };
      add(configItem.children, cellTree(cells, grouping), []);
      items.push(configItem);
    }
    this.controller.items.replace(items);
    // Once, when the editor starts: the outcomes the results folder holds, so that the tree is not blank until the
    // first run. Later loads only refresh the items: a run's own outcomes stay what it showed.
    if (this.shownLatest || latestShown.length === 0) return;
    this.shownLatest = true;
    const sink = this.sinkFor(this.controller.createTestRun(new vscode.TestRunRequest(), 'latest results in the results folder', false));
    for (const { item, latest } of latestShown) {
      if (latest.cell.status === 'completed') sink.passed(item);
      else if (latest.cell.status === 'skipped') sink.skipped(item);
      else sink.failed(item, cellSummary(latest.cell));
      sink.appendOutput(`${cellLabel(latest.cell)}: ${cellSummary(latest.cell)} (run ${latest.runId})\r\n`, item);
    }
    sink.end();
  }

  /** Updates each item's description from the latest results, e.g. after a run wrote new ones. */
  async refreshDescriptions(): Promise<void> {
    for (const configItem of this.configItems()) {
      const config = this.meanings.get(configItem)?.config;
      if (!config) continue;
      const latest = await this.store.latestByCell(config);
      const visit = (item: vscode.TestItem) => {
        const meaning = this.meanings.get(item);
        if (meaning?.node) item.description = describe(meaning, latest);
        item.children.forEach(visit);
      };
      configItem.children.forEach(visit);
    }
  }

  /** A test run for one run of the extension's, restricted to `only` (the config's cells matching it). */
  beginRun(config: vscode.Uri, only: CellFilter): TestRunTracker {
    const requested = [...(this.leaves.get(config.fsPath)?.values() ?? [])].filter((leaf) => {
      const cell = this.meanings.get(leaf)?.node?.cells[0];
      return cell !== undefined && (['backbone', 'dataset', 'protocol'] as const).every((key) => !only[key] || only[key] === cell[key]);
    });
    return this.trackerFor(config, requested, new vscode.TestRunRequest(requested));
  }

  private trackerFor(config: vscode.Uri, requested: vscode.TestItem[], request: vscode.TestRunRequest): CellRunTracker<vscode.TestItem> {
    const run = this.controller.createTestRun(request, `radprobe ${vscode.workspace.asRelativePath(config)}`, true);
    const cells = requested.flatMap((item) => {
      const cell = this.meanings.get(item)?.node?.cells[0];
      return cell ? [{ cell: cell as CellKey, item }] : [];
    });
    return new CellRunTracker(this.sinkFor(run), cells);
  }

  /** `vscode.TestRun` as the tracker's sink, remembering each cell's outcome for "Rerun failed". */
  private sinkFor(run: vscode.TestRun): TestRunSink<vscode.TestItem> {
    return {
      enqueued: (item) => run.enqueued(item),
      started: (item) => run.started(item),
      passed: (item) => {
        this.remember(item, 'passed');
        run.passed(item);
      },
      failed: (item, message) => {
        this.remember(item, 'failed');
        run.failed(item, messageAt(item, message));
      },
      errored: (item, message) => {
        this.remember(item, 'errored');
        run.errored(item, messageAt(item, message));
      },
      skipped: (item) => {
        this.remember(item, 'skipped');
        run.skipped(item);
      },
      appendOutput: (text, item) => run.appendOutput(text, undefined, item),
      end: () => run.end(),
    };
  }

  private stateKey(item: vscode.TestItem): string {
    const meaning = this.meanings.get(item);
    return `${meaning?.config.fsPath}#${meaning?.node?.id}`;
  }

  private remember(item: vscode.TestItem, state: CellState): void {
    this.states.set(this.stateKey(item), state);
  }

  /** Runs again the cells (under `item`, or everywhere) whose last outcome here was failed or errored. */
  async rerunFailed(item?: vscode.TestItem): Promise<void> {
    const scope = item ? this.leavesUnder(item) : [...this.leaves.values()].flatMap((leaves) => [...leaves.values()]);
    const failed = scope.filter((leaf) => ['failed', 'errored'].includes(this.states.get(this.stateKey(leaf)) ?? ''));
    if (failed.length === 0) return void vscode.window.showInformationMessage('radprobe: no failed cell to run again');
    const cancel = new vscode.CancellationTokenSource();
    try {
      await this.runRequest(new vscode.TestRunRequest(failed), cancel.token);
    } finally {
      cancel.dispose();
    }
  }

  /**
   * The run folder holding the latest result of an item's cells (for a group, its best cell's, as the CodeLens
   * shows it), with that cell; undefined when none has a result.
   */
  async latestRunOf(item: vscode.TestItem): Promise<{ config: vscode.Uri; runDir: string; cell: CellKey } | undefined> {
    const meaning = this.meanings.get(item);
    if (!meaning) return undefined;
    const latest = await this.store.latestByCell(meaning.config);
    const cells = meaning.node?.cells ?? configCells(configEntryLocations(await configText(meaning.config)));
    const best = bestResult(cells.flatMap((cell) => latest.get(cellKey(cell)) ?? []));
    if (!best) return undefined;
    return { config: meaning.config, runDir: best.runDir, cell: { backbone: best.cell.backbone, dataset: best.cell.dataset, protocol: best.cell.protocol } };
  }

  dispose(): void {
    this.controller.dispose();
  }
}

/** A message shown at the item's config entry (the peek view opens there) as well as in Test Results. */
function messageAt(item: vscode.TestItem, text: string): vscode.TestMessage {
  const message = new vscode.TestMessage(text);
  if (item.uri && item.range) message.location = new vscode.Location(item.uri, item.range.start);
  return message;
}

/**
 * An item's description: a leaf's latest metric and interval (or why it failed), a group's best cell's and how
 * many cells it has, then the full names of the path, which the explorer's tooltip (the description) needs.
 */
function describe({ node, path }: ItemMeaning, latest: LatestByCell): string {
  if (!node) return '';
  const fullName = path.join(' × ');
  const results = node.cells.flatMap((cell) => latest.get(cellKey(cell)) ?? []);
  const best = bestResult(results);
  if (node.children.length === 0) return `${best ? cellSummary(best.cell) : 'no result yet'} · ${cellLabel(node.cells[0])}`;
  const count = `${node.cells.length} cell${node.cells.length === 1 ? '' : 's'}`;
  return best ? `best ${cellSummary(best.cell)} (${best.cell.backbone} × ${best.cell.dataset}) of ${count} · ${fullName}` : `${count}, no result yet · ${fullName}`;
}
