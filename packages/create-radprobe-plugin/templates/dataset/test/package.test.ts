import { readFile } from 'node:fs/promises';
import { checkPluginPackage } from '@radprobe/core';
import { expect, it } from 'vitest';
import plugin from '../src/index.js';

// The checks radprobe's loader applies when it finds this package: the `radprobe` field lists exactly the kinds the
// module exports, and the `@radprobe/core` peer range is declared and includes the installed core.
it('package.json declares what the module exports and the core range it supports', async () => {
  const packageJson = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  expect(() => checkPluginPackage(packageJson, plugin)).not.toThrow();
});
