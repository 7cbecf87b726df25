/**
 * Formats one progress bar line: `label [#####.....] 120/400  35.2/s  ETA 8s`. The rate counts from the first
 * report (`startedAt`, when `startDone` units were already done), since the work before it was not timed.
 */
export function progressLine(label: string, done: number, total: number, startedAt: number, now: number, startDone = 0, width = 24): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const elapsed = (now - startedAt) / 1000;
  const rate = elapsed > 0 ? (done - startDone) / elapsed : 0;
  const eta = rate > 0 && done < total ? ` ETA ${formatDuration((total - done) / rate)}` : '';
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${rate > 0 ? ` ${rate.toFixed(1)}/s` : ''}${eta}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
