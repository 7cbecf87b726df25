import type { RunEvent } from '@radprobe/core';

/** What a run has done so far, folded from its events. */
export interface RunProgress {
  cells: number;
  cellsDone: number;
  cellsFailed: number;
  imagesEmbedded: number;
  imagesToEmbed: number;
  /** The protocol step now running, e.g. "epochs 3/10", or '' between steps. */
  current: string;
  /** Each extraction task's latest counts: a task reports cumulative numbers, so the newest replaces the older. */
  extraction: Record<string, { done: number; total: number }>;
}

export const emptyProgress: RunProgress = { cells: 0, cellsDone: 0, cellsFailed: 0, imagesEmbedded: 0, imagesToEmbed: 0, current: '', extraction: {} };

/** The progress after one more event. Pure, so that the notification and the status bar read the same numbers. */
export function nextProgress(progress: RunProgress, event: RunEvent): RunProgress {
  switch (event.type) {
    case 'run-start':
      return { ...emptyProgress, cells: event.cells };
    case 'progress': {
      if (!event.task.startsWith('extract:')) return { ...progress, current: `${event.label} ${event.done}/${event.total}` };
      const extraction = { ...progress.extraction, [event.task]: { done: event.done, total: event.total } };
      const counts = Object.values(extraction);
      return {
        ...progress,
        extraction,
        imagesEmbedded: counts.reduce((sum, task) => sum + task.done, 0),
        imagesToEmbed: counts.reduce((sum, task) => sum + task.total, 0),
      };
    }
    case 'cell-end':
      return { ...progress, cellsDone: progress.cellsDone + 1, cellsFailed: progress.cellsFailed + (event.status === 'failed' ? 1 : 0), current: '' };
    default:
      return progress;
  }
}

/** "images embedded 120/400 · cells 2/6 (1 failed) · epochs 3/10" */
export function progressText(progress: RunProgress): string {
  const parts: string[] = [];
  if (progress.imagesToEmbed > 0) parts.push(`images embedded ${progress.imagesEmbedded}/${progress.imagesToEmbed}`);
  parts.push(`cells ${progress.cellsDone}/${progress.cells}${progress.cellsFailed ? ` (${progress.cellsFailed} failed)` : ''}`);
  if (progress.current) parts.push(progress.current);
  return parts.join(' · ');
}
