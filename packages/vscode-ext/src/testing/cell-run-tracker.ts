import type { RunEvent } from '@radprobe/core';
import type { RunEnding } from '../run/run-ending.js';
import { cellKey, cellLabel, type CellKey } from './cell-items.js';

/**
 * What a test run shows, item by item: `vscode.TestRun` as `radprobe-tests.ts` adapts it (it builds the
 * `TestMessage`s), a recording in the unit tests.
 */
export interface TestRunSink<Item> {
  enqueued(item: Item): void;
  started(item: Item): void;
  passed(item: Item): void;
  failed(item: Item, message: string): void;
  errored(item: Item, message: string): void;
  skipped(item: Item): void;
  appendOutput(text: string, item?: Item): void;
  end(): void;
}

/**
 * One run's cells in the Testing view. Every requested cell is queued when the run starts and gets an outcome by
 * the end, so that the view never shows a cell the run did not evaluate as passed (nor leaves the previous run's
 * state on it): passed, failed or skipped as its `cell-end` says, at once. When the run crashes (radprobe exits 2
 * when no cell completed, e.g. a model file that does not exist, after a failed `cell-end` for each), its cells
 * that failed and those still open are errored with the run's error (the Testing view ranks errored above failed);
 * when it is cancelled, or finishes without them, the cells still open are skipped.
 */
export class CellRunTracker<Item> {
  private readonly open = new Map<string, Item>();
  private readonly failed: Item[] = [];

  constructor(
    private readonly sink: TestRunSink<Item>,
    requested: ReadonlyArray<{ cell: CellKey; item: Item }>,
  ) {
    for (const { cell, item } of requested) {
      this.open.set(cellKey(cell), item);
      sink.enqueued(item);
    }
  }

  onEvent(event: RunEvent): void {
    if (event.type === 'log') this.sink.appendOutput(`${event.level === 'info' ? '' : `${event.level}: `}${event.message}\r\n`);
    if (event.type === 'stage' && event.stage === 'protocol' && event.backbone && event.dataset && event.protocol) {
      const item = this.open.get(cellKey({ backbone: event.backbone, dataset: event.dataset, protocol: event.protocol }));
      if (item) this.sink.started(item);
    }
    if (event.type !== 'cell-end') return;
    const key = cellKey(event);
    const item = this.open.get(key);
    if (!item) return;
    this.open.delete(key);
    const summary = `${event.summary}${event.setting ? ` (${event.setting})` : ''}`;
    if (event.status === 'completed') this.sink.passed(item);
    else if (event.status === 'skipped') this.sink.skipped(item);
    else {
      this.failed.push(item);
      this.sink.failed(item, summary);
    }
    this.sink.appendOutput(`${cellLabel(event)}: ${event.status === 'completed' ? summary : `${event.status}: ${summary}`}\r\n`, item);
  }

  /** Gives every cell still open its outcome by how the run ended, and ends the test run. */
  end(ending: RunEnding): void {
    if (ending.kind === 'crashed') {
      this.sink.appendOutput(`radprobe run stopped: ${ending.message}\r\n`);
      for (const item of this.failed) this.sink.errored(item, `the run stopped: ${ending.message}`);
    }
    for (const item of this.open.values()) {
      if (ending.kind === 'crashed') this.sink.errored(item, `not evaluated: the run stopped before this cell finished: ${ending.message}`);
      else {
        this.sink.skipped(item);
        this.sink.appendOutput(ending.kind === 'cancelled' ? 'not evaluated: the run was cancelled first\r\n' : 'not evaluated by this run\r\n', item);
      }
    }
    this.open.clear();
    this.sink.end();
  }
}
