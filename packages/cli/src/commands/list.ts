import { loadRegistry, type PluginRegistry } from '@radprobe/core/engine';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';

interface PackageRow {
  packageName: string;
  version: string;
  protocols: string[];
  backbones: string[];
  datasets: string[];
}

/** Contributions of a registry grouped by the package that made them. */
export function packagesOf(registry: PluginRegistry): PackageRow[] {
  const rows = new Map<string, PackageRow>();
  const add = (kind: 'protocols' | 'backbones' | 'datasets', name: string, packageName: string, version: string) => {
    let row = rows.get(packageName);
    if (!row) rows.set(packageName, (row = { packageName, version, protocols: [], backbones: [], datasets: [] }));
    row[kind].push(name);
  };
  for (const [name, entry] of registry.protocols) add('protocols', name, entry.packageName, entry.version);
  for (const [name, entry] of registry.backbones) add('backbones', name, entry.packageName, entry.version);
  for (const [name, entry] of registry.datasets) add('datasets', name, entry.packageName, entry.version);
  return [...rows.values()].sort((a, b) => a.packageName.localeCompare(b.packageName));
}

/** The plugins installed where the CLI runs: built in, in node_modules from the working folder up, and beside the CLI. */
export function installedPlugins(): Promise<PluginRegistry> {
  return loadRegistry({ baseDir: process.cwd(), explicit: [], builtins: builtinPlugins, searchDirs: cliSearchDirs });
}

/** `radprobe list`: installed plugins and what each contributes. */
export async function listCommand(options: { json: boolean }): Promise<number> {
  const registry = await installedPlugins();
  const rows = packagesOf(registry);
  if (options.json) {
    const failures = registry.failures.map(({ packageName, version, reason }) => ({ packageName, version, reason }));
    process.stdout.write(`${JSON.stringify({ packages: rows, failures, warnings: registry.warnings }, null, 2)}\n`);
    return 0;
  }
  for (const row of rows) {
    const parts = [
      row.protocols.length ? `protocols: ${row.protocols.join(', ')}` : '',
      row.backbones.length ? `backbones: ${row.backbones.join(', ')}` : '',
      row.datasets.length ? `datasets: ${row.datasets.join(', ')}` : '',
    ].filter(Boolean);
    process.stdout.write(`${row.packageName}@${row.version}\n  ${parts.join('\n  ')}\n`);
  }
  for (const failure of registry.failures) {
    process.stdout.write(`${failure.packageName}@${failure.version}\n  failed to load: ${failure.reason}\n`);
  }
  if (registry.protocols.size === 0) process.stdout.write('no protocol plugin is installed: npm i @radprobe/protocol-knn (or -linear, -fewshot, -seg, -peft)\n');
  for (const warning of registry.warnings) process.stdout.write(`warning: ${warning}\n`);
  return 0;
}
