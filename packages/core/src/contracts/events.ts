import type { CellStatus } from './results.js';

/**
 * What a run reports while it works. The CLI draws progress bars from these, and `--reporter jsonl` writes one
 * per line to stdout so that other tools (the VS Code extension) can follow a run.
 */
export type RunEvent =
  | { type: 'run-start'; runId: string; outputDir: string; cells: number }
  | { type: 'stage'; stage: 'dataset' | 'backbone' | 'extract' | 'protocol'; backbone?: string; dataset?: string; protocol?: string; message: string }
  | { type: 'progress'; task: string; label: string; done: number; total: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  /**
   * `summary`: a completed cell's primary metric (`top1 0.700 [0.606, 0.800]`), or why it failed or was skipped;
   * `setting`: the setting that metric is of (`k=10`), absent for a protocol with a single row.
   */
  | { type: 'cell-end'; backbone: string; dataset: string; protocol: string; status: CellStatus; summary: string; setting?: string }
  | { type: 'run-end'; runId: string; outputDir: string; failed: number };

/** Receives run events. */
export type RunReporter = (event: RunEvent) => void;
