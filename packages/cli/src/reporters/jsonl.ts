import type { RunEvent, RunReporter } from '@radprobe/core';

/**
 * One JSON object per line on stdout, exactly the `RunEvent` type: the protocol the editor extension (and any
 * other tool) follows a run with.
 */
export function jsonlReporter(stream: NodeJS.WritableStream = process.stdout): RunReporter {
  return (event: RunEvent) => {
    stream.write(`${JSON.stringify(event)}\n`);
  };
}
