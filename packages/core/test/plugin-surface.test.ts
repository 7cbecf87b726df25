import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as surface from '../src/index.js';
import * as engine from '../src/engine/index.js';

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Source files under `dir` that import anything of @radprobe/core beyond its main entry. */
async function engineImports(dir: string): Promise<string[]> {
  const offending: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    if (/['"]@radprobe\/core\/(?!package\.json['"])/.test(await readFile(file, 'utf8'))) offending.push(relative(packagesDir, file));
  }
  return offending;
}

describe('the plugin surface', () => {
  it("is all radprobe's protocol and backbone plugins import", async () => {
    const plugins = (await readdir(packagesDir)).filter((name) => name.startsWith('protocol-') || name === 'backbone-onnx');
    expect(plugins).toHaveLength(6);
    const offending = (await Promise.all(plugins.map((name) => engineImports(join(packagesDir, name, 'src'))))).flat();
    expect(offending).toEqual([]);
  });

  it('shares no run-time name with the engine entry', () => {
    const shared = Object.keys(surface).filter((name) => name in engine);
    expect(shared).toEqual([]);
  });
});
