import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, checkConfigFiles, loadConfig, loadRegistry, loadRegistryForConfig, writeConfigSchema, type ConfigIssue, type PluginRegistry } from '@radprobe/core/engine';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';

/**
 * `radprobe validate`: checks a config without running anything: against the schema of the plugins installed for
 * it, then what it names on disk (files and folders, model files and store names, each model's input size against
 * the preprocessing). Every problem is reported at once, with its line, column and JSON pointer.
 */
export async function validateCommand(config: string, options: { json?: boolean } = {}): Promise<number> {
  const registry = await loadRegistryForConfig(config, builtinPlugins, cliSearchDirs);
  for (const warning of registry.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (options.json) return printIssuesAsJson(config, await configIssues(config, registry));
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

/** Every issue `radprobe validate` reports for a config: the JSON, schema and variables first, then (if those pass) the files. */
async function configIssues(config: string, registry: PluginRegistry): Promise<ConfigIssue[]> {
  try {
    const loaded = await loadConfig(config, registry);
    return await checkConfigFiles(loaded, registry);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
}

/**
 * `radprobe validate --json`, what the VS Code extension reads: `{ file, valid, issues }`, each issue with its line,
 * column, JSON pointer, message and the check that found it. Exit 1 when there are issues; a config that cannot be
 * checked at all (unreadable, a plugin that cannot load) is an error as without --json.
 */
function printIssuesAsJson(config: string, issues: ConfigIssue[]): number {
  process.stdout.write(`${JSON.stringify({ file: resolve(config), valid: issues.length === 0, issues })}\n`);
  return issues.length === 0 ? 0 : 1;
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
