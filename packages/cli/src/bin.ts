#!/usr/bin/env node
import { RadprobeError, isFileSystemError } from '@radprobe/core';
import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A RadprobeError is the user's to fix and says what and where, and so does a failed file-system call not
    // turned into one (Node's message names the call and the path); anything else is a bug and keeps its stack.
    const oneLine = error instanceof RadprobeError || isFileSystemError(error);
    const text = oneLine ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`radprobe: ${text}\n`);
    process.exitCode = 2;
  },
);
