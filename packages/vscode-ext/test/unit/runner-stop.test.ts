import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRunner } from '../../src/spawn/child-process.js';

/** A stand-in runner script: prints `ready` once its SIGINT handler is installed, then waits. */
async function runnerScript(onSigint: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'radprobe-runner-stop-'));
  const script = join(dir, 'runner.mjs');
  await writeFile(script, `process.on('SIGINT', () => { ${onSigint} });\nconsole.log('ready');\nsetInterval(() => {}, 1000);\n`);
  return script;
}

function start(script: string) {
  const lines: string[] = [];
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const runner = startRunner({ node: process.execPath, cliScript: script, source: 'setting' }, [], tmpdir(), {
    onStdoutLine: (line) => {
      lines.push(line);
      if (line === 'ready') ready();
    },
    onStderrLine: () => undefined,
  });
  return { runner, started, lines };
}

describe('stopping a runner', () => {
  it('sends SIGINT and lets a runner that stops on it exit with its own code (the CLI: 130 after the current batch)', async () => {
    const { runner, started, lines } = start(await runnerScript("console.log('stopping'); process.exit(130);"));
    await started;
    runner.stop(10_000);
    expect(await runner.exit).toBe(130);
    expect(lines).toEqual(['ready', 'stopping']);
  });

  it('kills a runner that ignores SIGINT once the grace period is over', async () => {
    const { runner, started } = start(await runnerScript("console.log('ignoring');"));
    await started;
    const asked = Date.now();
    runner.stop(300);
    expect(await runner.exit).toBeNull();
    expect(Date.now() - asked).toBeGreaterThanOrEqual(290);
  });
});
