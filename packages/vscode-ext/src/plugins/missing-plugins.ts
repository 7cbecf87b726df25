import type { ConfigEntryLocation, ConfigSection } from '../config/entry-locations.js';
import { closestMatch, firstPartyPackageOf, wholeWordMatch } from '@radprobe/core/kind-names';
import type { InstalledPlugin } from './manifest-scan.js';

const noun: Record<ConfigSection, string> = { protocols: 'protocol', backbones: 'backbone', datasets: 'dataset' };

export interface MissingPlugin {
  entry: ConfigEntryLocation;
  message: string;
  /** The package to install, when radprobe knows which one provides the kind. */
  packageName: string | null;
  /** The installed kind of the same section the entry most likely meant (`knnn` → `knn`, `nih` → `nih-chestxray14`). */
  suggestion: string | null;
}

/**
 * Config entries whose kind no installed plugin contributes, with a message that says what to install and the
 * installed kind it may be a typo of (the first-party packages and did-you-mean matching are core's own, bundled
 * from `@radprobe/core/kind-names`).
 */
export function missingPlugins(entries: readonly ConfigEntryLocation[], installed: readonly InstalledPlugin[]): MissingPlugin[] {
  const provided: Record<ConfigSection, Set<string>> = {
    protocols: new Set(installed.flatMap((plugin) => plugin.protocols)),
    backbones: new Set(installed.flatMap((plugin) => plugin.backbones)),
    datasets: new Set(installed.flatMap((plugin) => plugin.datasets)),
  };
  return entries
    .filter((entry) => !provided[entry.section].has(entry.kind))
    .map((entry) => {
      const packageName = firstPartyPackageOf(entry.section, entry.kind);
      const candidates = [...provided[entry.section]].sort();
      const suggestion = closestMatch(entry.kind, candidates) ?? wholeWordMatch(entry.kind, candidates);
      const message = packageName
        ? `no installed plugin provides the ${noun[entry.section]} kind '${entry.kind}': install it with \`npm install --save-dev ${packageName}\``
        : `no installed plugin provides the ${noun[entry.section]} kind '${entry.kind}': install the plugin package that does (its package.json lists '${entry.kind}' under radprobe.${entry.section}), or add it to the config's "plugins"`;
      return { entry, message, packageName, suggestion };
    });
}
