import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { temporaryDir } from './helpers.js';

const run = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspaceDir = join(packageDir, '..', '..');

describe('the radprobe command', () => {
  it('is linked by npm ci to a committed launcher, so `npx radprobe` never falls through to the registry', async () => {
    const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(manifest.bin.radprobe).toBe('./bin/radprobe.js');
    expect(manifest.files).toContain('bin');
    expect(await realpath(join(workspaceDir, 'node_modules', '.bin', 'radprobe'))).toBe(join(packageDir, 'bin', 'radprobe.js'));
    const { stdout } = await run(join(workspaceDir, 'node_modules', '.bin', 'radprobe'), ['--help']);
    expect(stdout).toMatch(/^radprobe: how well does a vision foundation model transfer to radiology\?/);
  });

  it('says how to build when dist/ is missing', async () => {
    const copy = await temporaryDir('launcher');
    await mkdir(join(copy, 'bin'));
    await copyFile(join(packageDir, 'bin', 'radprobe.js'), join(copy, 'bin', 'radprobe.js'));
    const failure = await run(process.execPath, [join(copy, 'bin', 'radprobe.js'), '--help']).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toBe(`radprobe: the CLI is not built yet (${join(copy, 'dist', 'bin.js')} is missing): run \`npm run build\` (or \`npm start\`) in the radprobe workspace first\n`);
  });
});
