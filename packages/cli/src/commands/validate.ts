import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfig, loadRegistry, loadRegistryForConfig, writeConfigSchema } from '@radprobe/core';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';

/** `radprobe validate`: checks a config against the schema of the plugins installed for it. */
export async function validateCommand(config: string): Promise<number> {
  const registry = await loadRegistryForConfig(config, builtinPlugins, cliSearchDirs);
  for (const warning of registry.warnings) process.stderr.write(`warning: ${warning}\n`);
  const { config: resolved } = await loadConfig(config, registry);
  process.stdout.write(
    `${resolve(config)} is valid: ${resolved.backbones.length} backbone(s) × ${resolved.datasets.length} dataset(s) × ${resolved.protocols.length} protocol(s)\n`,
  );
  return 0;
}

/**
 * `radprobe schema`: writes the JSON Schema composed from the installed plugins (and the config's own plugins,
 * when the config exists), for editors: point the config's `$schema` at it.
 */
export async function schemaCommand(config: string, out: string): Promise<number> {
  const registry = existsSync(config)
    ? await loadRegistryForConfig(config, builtinPlugins, cliSearchDirs)
    : await loadRegistry({ baseDir: dirname(resolve(config)), explicit: [], builtins: builtinPlugins, searchDirs: cliSearchDirs });
  await writeConfigSchema(resolve(out), registry);
  process.stdout.write(`wrote ${resolve(out)}\n`);
  return 0;
}
