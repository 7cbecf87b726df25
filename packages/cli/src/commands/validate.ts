import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, checkConfigFiles, loadConfig, loadRegistry, loadRegistryForConfig, writeConfigSchema } from '@radprobe/core/engine';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';

/**
 * `radprobe validate`: checks a config without running anything: against the schema of the plugins installed for
 * it, then what it names on disk (files and folders, model files and store names, each model's input size against
 * the preprocessing). Every problem is reported at once, with its line, column and JSON pointer.
 */
export async function validateCommand(config: string): Promise<number> {
  const registry = await loadRegistryForConfig(config, builtinPlugins, cliSearchDirs);
  for (const warning of registry.warnings) process.stderr.write(`warning: ${warning}\n`);
  const loaded = await loadConfig(config, registry);
  for (const note of loaded.notes) process.stderr.write(`note: ${note}\n`);
  const issues = await checkConfigFiles(loaded, registry);
  if (issues.length > 0) throw new ConfigError(loaded.file, issues);
  const resolved = loaded.config;
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
