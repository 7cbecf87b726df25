import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A code-server with its own user data and extensions folders, started in its own process group. */
export interface CodeServer {
  url(folder: string): string;
  stop(): void;
}

/** Installs a .vsix into a fresh profile and starts code-server on it; resolves once it answers HTTP. */
export async function startCodeServer(bin: string, vsix: string, profileDir: string, settings: Record<string, unknown>): Promise<CodeServer> {
  const userData = join(profileDir, 'user-data');
  const extensions = join(profileDir, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings));
  execFileSync(bin, ['--install-extension', vsix, '--user-data-dir', userData, '--extensions-dir', extensions], { stdio: 'pipe', timeout: 60_000 });
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    ['--config', '/dev/null', '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--user-data-dir', userData, '--extensions-dir', extensions],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  // Newer code-servers spawn helpers that outlive the main process: stop the whole group.
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`code-server did not start on port ${port}:\n${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url: (folder) => `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`, stop };
}
