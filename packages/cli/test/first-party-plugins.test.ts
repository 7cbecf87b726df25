import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { checkPluginPackage, type RadprobePlugin } from '@radprobe/core';
import { firstPartyPlugins } from '@radprobe/core/engine';

const require = createRequire(import.meta.url);

/**
 * radprobe's own plugin packages pass the checks the loader applies to any installed plugin, run as a plugin's own
 * tests run them: the `radprobe` field lists exactly the kinds the module exports, and the `@radprobe/core` peer
 * range is declared and includes this core.
 */
describe("radprobe's own plugins", () => {
  it.each(firstPartyPlugins.map((entry) => entry.packageName))('%s declares its kinds and the core range it supports', async (packageName) => {
    const packageJson = JSON.parse(await readFile(require.resolve(`${packageName}/package.json`), 'utf8')) as Record<string, unknown>;
    const plugin = ((await import(packageName)) as { default: RadprobePlugin }).default;
    expect(() => checkPluginPackage(packageJson, plugin)).not.toThrow();
  });
});
