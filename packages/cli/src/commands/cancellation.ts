/**
 * Runs `work` with Ctrl-C (or SIGTERM, as SLURM and Kubernetes send before they kill) wired to its abort signal:
 * the first stops after the current batch with the cache consistent, a second exits at once. Returns 130 (as a
 * shell reports a command stopped by Ctrl-C) when cancelled.
 */
export async function withCancellation(work: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    process.stderr.write('radprobe: cancelled; the feature cache keeps every finished shard, so running again resumes\n');
    return 130;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
