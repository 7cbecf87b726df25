import { spawn, type ChildProcess } from 'node:child_process';
import { formatCommandLine, type RunnerCommand } from './resolve-cli.js';
import { LineSplitter } from '../protocol/run-events.js';

/** A radprobe process the extension started. */
export interface RunnerProcess {
  /** The exact command line, as logged. */
  commandLine: string;
  /** Resolves with the exit code (null when a signal ended it). */
  exit: Promise<number | null>;
  /**
   * Asks the runner to stop: SIGINT first (the CLI finishes the current batch, keeps the feature cache consistent
   * and exits, so the next run resumes), SIGKILL after `graceMs` if it is still running.
   */
  stop(graceMs?: number): void;
}

export interface RunnerHandlers {
  onStdoutLine(line: string): void;
  onStderrLine(line: string): void;
}

/** Starts `node <cli> …args` in `cwd`, reading its stdout and stderr line by line. */
export function startRunner(command: RunnerCommand, args: readonly string[], cwd: string, handlers: RunnerHandlers): RunnerProcess {
  const argv = [command.node, command.cliScript, ...args];
  const child: ChildProcess = spawn(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  const pipe = (stream: NodeJS.ReadableStream | null, onLine: (line: string) => void) => {
    const splitter = new LineSplitter();
    stream?.on('data', (chunk: Buffer) => splitter.push(chunk).forEach(onLine));
    stream?.on('end', () => splitter.end().forEach(onLine));
  };
  pipe(child.stdout, handlers.onStdoutLine);
  pipe(child.stderr, handlers.onStderrLine);
  const exit = new Promise<number | null>((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`cannot start ${argv[0]}: ${error.message} (set radprobe.nodePath to your Node)`)));
    child.on('close', (code) => resolve(code));
  });
  let killTimer: NodeJS.Timeout | undefined;
  void exit.finally(() => clearTimeout(killTimer)).catch(() => undefined);
  return {
    commandLine: formatCommandLine(argv),
    exit,
    stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    },
  };
}

/**
 * Runs a short radprobe command to its end and returns its stdout; an exit code other than `expectedCodes` (e.g.
 * `validate --json`'s 1, which means it printed issues) throws with its stderr.
 */
export async function runToEnd(
  command: RunnerCommand,
  args: readonly string[],
  cwd: string,
  onCommandLine: (line: string) => void,
  expectedCodes: readonly number[] = [0],
): Promise<string> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const runner = startRunner(command, args, cwd, { onStdoutLine: (line) => stdout.push(line), onStderrLine: (line) => stderr.push(line) });
  onCommandLine(runner.commandLine);
  const code = await runner.exit;
  if (code === null || !expectedCodes.includes(code)) throw new Error(`${runner.commandLine} exited with ${code}: ${stderr.join('\n') || stdout.join('\n')}`);
  return stdout.join('\n');
}
