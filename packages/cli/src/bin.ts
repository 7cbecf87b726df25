#!/usr/bin/env node
// onnxruntime-node 1.30 queues usage events for an external host under ~/.cache/Microsoft and writes a
// mat-debug-<pid>.log into the temporary folder on every run. radprobe reads medical images and sends nothing
// anywhere: the runtime's telemetry is off unless the user turns it on, and it is set before anything loads the
// runtime (hence the dynamic imports below) and inherited by every process radprobe starts.
if (!process.env.ORT_DISABLE_TELEMETRY) process.env.ORT_DISABLE_TELEMETRY = '1';

const { printablePath, RadprobeError } = await import('@radprobe/core');
const { isFileSystemError } = await import('@radprobe/core/engine');
const { main } = await import('./cli.js');

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
    // A RadprobeError is the user's to fix and says what and where, and so does a failed file-system call not
    // turned into one (Node's message names the call and the path); anything else is a bug and keeps its stack.
    const oneLine = error instanceof RadprobeError || isFileSystemError(error);
    const text = oneLine ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    // Line by line: a message may name a file whose name holds a terminal escape code.
    process.stderr.write(`radprobe: ${text.split('\n').map(printablePath).join('\n')}\n`);
    process.exitCode = 2;
  },
);
