import { versionOf } from '../builtins.js';
import { installedPlugins, packagesOf } from './list.js';

/** `radprobe --version`: the CLI's version, then each installed plugin's (as `radprobe list` finds them), one per line. */
export async function versionCommand(): Promise<number> {
  const registry = await installedPlugins();
  const lines = [`@radprobe/cli ${versionOf('@radprobe/cli')}`];
  for (const row of packagesOf(registry)) lines.push(`${row.packageName} ${row.version}`);
  for (const failure of registry.failures) lines.push(`${failure.packageName} ${failure.version} (failed to load: ${failure.reason})`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
