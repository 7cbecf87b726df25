#!/usr/bin/env node
import { RadprobeError } from '@radprobe/core';
import { main } from './cli.js';

// A reader that stops early (`radprobe list | head -1`) closes the pipe; the remaining output has nowhere to go,
// which is not an error of radprobe's: stop quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A RadprobeError is the user's to fix and says what and where; anything else is a bug and keeps its stack.
    const text = error instanceof RadprobeError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`radprobe: ${text}\n`);
    process.exitCode = 2;
  },
);
