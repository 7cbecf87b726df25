import type { CellResult, FailedCell, FailureStage, RunReporter } from '../../contracts/index.js';
import { RadprobeError } from '../util/errors.js';
import { PluginError, pluginId } from './entry-plugin.js';

/** A cell's names and its protocol's kind. */
export interface CellNames {
  backbone: string;
  dataset: string;
  protocol: string;
  protocolKind: string;
}

/**
 * The cells of a run as they end, reported as they do: completed, skipped, or failed with the plugin and the stage
 * that failed them. A failure fails its cells alone; the run goes on with the others.
 */
export class RunCells {
  readonly cells: CellResult[] = [];
  readonly failed: FailedCell[] = [];
  private readonly errors: PluginError[] = [];

  constructor(private readonly reporter: RunReporter) {}

  /** Records a completed cell; `summary` is its headline metric and the setting it is of (`cellSummary`). */
  completed(cell: CellResult & { status: 'completed' }, summary: { summary: string; setting?: string }): void {
    this.cells.push(cell);
    this.reporter({ type: 'cell-end', backbone: cell.backbone, dataset: cell.dataset, protocol: cell.protocol, status: 'completed', ...summary });
  }

  skipped(names: CellNames, reason: string): void {
    this.cells.push({ ...names, status: 'skipped', reason, durationMs: 0 });
    this.reporter({ type: 'cell-end', backbone: names.backbone, dataset: names.dataset, protocol: names.protocol, status: 'skipped', summary: reason });
  }

  /** Records a cell as failed by `error`; a bug's stack goes to the log once, never into the results. */
  fail(names: CellNames, error: PluginError, stage: FailureStage, durationMs = 0): void {
    if (error.bugStack && !this.errors.includes(error)) {
      this.reporter({ type: 'log', level: 'error', message: `${error.message}\n${error.bugStack}` });
    }
    this.errors.push(error);
    const { backbone, dataset, protocol } = names;
    this.cells.push({ ...names, status: 'failed', reason: error.message, durationMs });
    this.failed.push({ backbone, dataset, protocol, plugin: pluginId(error.plugin), stage, message: error.message });
    this.reporter({ type: 'cell-end', backbone, dataset, protocol, status: 'failed', summary: error.message });
  }

  /**
   * When every cell that ran failed, the run has nothing to show: the error to stop it with (the failure itself
   * when all failed alike), so that it writes nothing and exits as any other error does. Null otherwise.
   */
  nothingCompleted(): RadprobeError | null {
    if (this.errors.length === 0 || this.cells.some((cell) => cell.status === 'completed')) return null;
    const messages = [...new Set(this.errors.map((error) => error.message))];
    return messages.length === 1 ? this.errors[0] : new RadprobeError(`every cell failed: ${messages.join('; ')}`);
  }
}
