import type { RunEvent } from '@radprobe/core';

/**
 * The runner's side of the protocol is `radprobe run --reporter jsonl`: one `RunEvent` (the type lives in
 * @radprobe/core and is imported as a type only, so nothing of radprobe enters the extension host) per line of
 * stdout. A line that is not an event (e.g. a plugin writing to stdout) is passed on as plain text for the log.
 */
export type RunnerLine = { kind: 'event'; event: RunEvent } | { kind: 'text'; text: string };

const eventTypes: ReadonlySet<RunEvent['type']> = new Set(['run-start', 'stage', 'progress', 'log', 'cell-end', 'run-end']);

/** Reads one line of the runner's stdout. */
export function parseRunnerLine(line: string): RunnerLine {
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) {
    try {
      const value = JSON.parse(trimmed) as { type?: unknown };
      if (value !== null && typeof value === 'object' && eventTypes.has(value.type as RunEvent['type'])) {
        return { kind: 'event', event: value as RunEvent };
      }
    } catch {
      // Not JSON after all: it is text for the log, like any other line.
    }
  }
  return { kind: 'text', text: line };
}

/**
 * Cuts a stream of chunks into lines: a chunk may end mid-line (or mid-character, which is why it takes bytes
 * and decodes them with a streaming decoder).
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';

  /** Returns the lines that the chunk completes. */
  push(chunk: Uint8Array): string[] {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    return lines.map((line) => line.replace(/\r$/, ''));
  }

  /** The last line when the stream ended without a newline. */
  end(): string[] {
    this.pending += this.decoder.decode();
    const last = this.pending;
    this.pending = '';
    return last === '' ? [] : [last];
  }
}
