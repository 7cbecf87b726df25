/** How a run ended, as the Testing view and the log tell it. */
export type RunEnding =
  /** The runner wrote its results (exit 0, or 1 when some cells failed: those cells say so themselves). */
  | { kind: 'finished' }
  /** Stopped on the user's request: the cells it had not finished were not evaluated. */
  | { kind: 'cancelled' }
  /** Stopped by an error (exit 2, a signal, or the runner could not start): `message` says why. */
  | { kind: 'crashed'; message: string };

/** `radprobe run`'s exit code when it stopped on SIGINT (128 + 2, as a shell reports Ctrl-C). */
export const CANCELLED_EXIT_CODE = 130;

/**
 * The ending of a runner that exited with `code` (null: killed by a signal). A cancel the user asked for ends as
 * cancelled even when the runner had to be killed; an exit without a `run-end` event wrote no results, whatever
 * its code, so it crashed.
 */
export function runEnding(outcome: { code: number | null; sawRunEnd: boolean; cancelRequested: boolean; cliError: string }): RunEnding {
  if (outcome.code === CANCELLED_EXIT_CODE || (outcome.cancelRequested && !outcome.sawRunEnd)) return { kind: 'cancelled' };
  if (outcome.sawRunEnd && (outcome.code === 0 || outcome.code === 1)) return { kind: 'finished' };
  const exit = outcome.code === null ? 'killed by a signal' : `exit ${outcome.code}`;
  return { kind: 'crashed', message: outcome.cliError ? `${outcome.cliError} (${exit})` : `the run stopped (${exit}) before writing results: see the radprobe output` };
}

/**
 * The CLI's own message on stderr: `radprobe: …` (bin.ts writes it last, when a run stops on an error or is
 * cancelled; a message may go on over further lines). Such lines are held until the exit code says whether they
 * are an error or a cancel notice; every other stderr line (a plugin's or the runtime's warnings) passes through
 * at once.
 */
export class CliMessageCollector {
  private readonly lines: string[] = [];

  /** Takes one stderr line; returns it when it is not part of the CLI's message. */
  take(line: string): string | undefined {
    if (this.lines.length === 0 && !line.startsWith('radprobe: ')) return line;
    this.lines.push(this.lines.length === 0 ? line.slice('radprobe: '.length) : line);
    return undefined;
  }

  get message(): string {
    return this.lines.join('\n').trim();
  }
}
