import { printablePath, type RunEvent, type RunReporter } from '@radprobe/core';
import { progressLine } from './progress-line.js';

/**
 * Human output on stderr: stage lines, a live progress bar (redrawn in place on a terminal; every 10 % and at the
 * end elsewhere, so CI logs stay short), warnings, and one line per finished cell.
 */
export function prettyReporter(stream: NodeJS.WriteStream = process.stderr): RunReporter {
  const interactive = Boolean(stream.isTTY);
  const tasks = new Map<string, { startedAt: number; startDone: number; lastDecile: number }>();
  let barShown = false;
  const clearBar = () => {
    if (barShown) stream.write('\r\x1b[K');
    barShown = false;
  };
  // Messages name files, and a file name may hold a newline or a terminal escape code: shown escaped.
  const line = (text: string) => {
    clearBar();
    stream.write(`${printablePath(text)}\n`);
  };
  return (event: RunEvent) => {
    switch (event.type) {
      case 'run-start':
        line(`radprobe run ${event.runId}: ${event.cells} cell(s) → ${event.outputDir}`);
        break;
      case 'stage':
        line(`• ${event.message}`);
        break;
      case 'log':
        line(event.level === 'info' ? `  ${event.message}` : `  ${event.level}: ${event.message}`);
        break;
      case 'progress': {
        const now = Date.now();
        let task = tasks.get(event.task);
        if (!task) tasks.set(event.task, (task = { startedAt: now, startDone: event.done, lastDecile: -1 }));
        const text = `  ${progressLine(event.label, event.done, event.total, task.startedAt, now, task.startDone)}`;
        if (interactive) {
          if (event.done >= event.total) {
            line(text);
          } else {
            stream.write(`\r\x1b[K${printablePath(text)}`);
            barShown = true;
          }
        } else {
          const decile = event.total > 0 ? Math.floor((10 * event.done) / event.total) : 10;
          if (decile !== task.lastDecile) line(text);
          task.lastDecile = decile;
        }
        if (event.done >= event.total) tasks.delete(event.task);
        break;
      }
      case 'cell-end':
        line(`${event.status === 'completed' ? '✓' : event.status === 'skipped' ? '-' : '✗'} ${event.backbone} × ${event.dataset} × ${event.protocol}${event.setting ? ` ${event.setting}` : ''}: ${event.summary}`);
        break;
      case 'run-end':
        line(`results written to ${event.outputDir}${event.failed ? ` (${event.failed} cell(s) failed)` : ''}`);
        break;
    }
  };
}
