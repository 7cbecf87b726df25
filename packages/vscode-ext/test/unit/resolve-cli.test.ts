import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCommandLine, resolveRunner } from '../../src/spawn/resolve-cli.js';

function installCli(root: string): string {
  const dir = join(root, 'node_modules', '@radprobe', 'cli');
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@radprobe/cli', bin: { radprobe: './dist/bin.js' } }));
  writeFileSync(join(dir, 'dist', 'bin.js'), '');
  return join(dir, 'dist', 'bin.js');
}

describe('resolveRunner', () => {
  it('finds the CLI in a parent folder node_modules, as Node would', () => {
    const root = mkdtempSync(join(tmpdir(), 'radprobe-resolve-'));
    const script = installCli(root);
    mkdirSync(join(root, 'studies', 'one'), { recursive: true });
    expect(resolveRunner(join(root, 'studies', 'one'), { cliPath: '', nodePath: '' })).toEqual({ node: 'node', cliScript: script, source: 'workspace' });
  });

  it('takes radprobe.cliPath (script or package folder, relative to the folder) and radprobe.nodePath', () => {
    const root = mkdtempSync(join(tmpdir(), 'radprobe-resolve-'));
    const script = installCli(root);
    const other = mkdtempSync(join(tmpdir(), 'radprobe-elsewhere-'));
    expect(resolveRunner(other, { cliPath: script, nodePath: '/opt/node22/bin/node' })).toEqual({ node: '/opt/node22/bin/node', cliScript: script, source: 'setting' });
    expect(resolveRunner(root, { cliPath: 'node_modules/@radprobe/cli', nodePath: '' }).cliScript).toBe(script);
    expect(resolveRunner(other, { cliPath: root, nodePath: '' }).cliScript).toBe(script);
  });

  it('says how to install radprobe when it is missing, and what is wrong with a bad setting', () => {
    const empty = mkdtempSync(join(tmpdir(), 'radprobe-empty-'));
    expect(() => resolveRunner(empty, { cliPath: '', nodePath: '' })).toThrow(/npm install --save-dev @radprobe\/cli/);
    expect(() => resolveRunner(empty, { cliPath: 'nope.js', nodePath: '' })).toThrow(/radprobe.cliPath is 'nope.js'/);
  });
});

describe('formatCommandLine', () => {
  it('quotes only what a shell would need quoted', () => {
    expect(formatCommandLine(['node', '/a/bin.js', 'run', 'my config.json', '--protocol', "it's"])).toBe(`node /a/bin.js run 'my config.json' --protocol 'it'\\''s'`);
  });
});
