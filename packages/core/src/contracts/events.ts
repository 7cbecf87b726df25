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
  | { type: 'cell-end'; backbone: string; dataset: string; protocol: string; status: CellStatus; summary: string }
  | { type: 'run-end'; runId: string; outputDir: string; failed: number };

/** Receives run events. */
export type RunReporter = (event: RunEvent) => void;
