import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '@radprobe/core';

/** The built CLI: these tests run it as users do, in its own process. */
export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');

export function temporaryDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `radprobe-${prefix}-`));
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  events: RunEvent[];
}

/**
 * Runs `radprobe args…` in `cwd`. With `killWhen`, the process gets `killSignal` (SIGKILL unless given) as soon as
 * the predicate accepts a jsonl event (the run must use `--reporter jsonl`); once only.
 */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; killWhen?: (event: RunEvent) => boolean; killSignal?: NodeJS.Signals },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const events: RunEvent[] = [];
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        // Only jsonl events: the indented output of `--json` commands also has lines that start with '{'.
        if (!line.startsWith('{"type":')) continue;
        const event = JSON.parse(line) as RunEvent;
        events.push(event);
        if (!signalled && options.killWhen?.(event)) {
          signalled = true;
          child.kill(options.killSignal ?? 'SIGKILL');
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, events }));
  });
}
