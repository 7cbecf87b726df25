#!/usr/bin/env node
import { printablePath, RadprobeError } from '@radprobe/core';
import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A RadprobeError is the user's to fix and says what and where; anything else is a bug and keeps its stack.
    const text = error instanceof RadprobeError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    // Line by line: a message may name a file whose name holds a terminal escape code.
    process.stderr.write(`radprobe: ${text.split('\n').map(printablePath).join('\n')}\n`);
    process.exitCode = 2;
  },
);
