#!/usr/bin/env node
import { main, terminalQuestions } from './cli.js';

main(process.argv.slice(2), process.cwd(), { ask: terminalQuestions(), print: (line) => console.log(line) }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  },
);
