import type { InstalledPlugin } from './manifest-scan.js';

const sections = [
  ['protocols', 'protocol kinds'],
  ['backbones', 'backbone kinds'],
  ['datasets', 'dataset kinds'],
] as const;

/**
 * The plugins view's tooltip for a plugin package: package and version, its description, the kinds it contributes
 * by section, and where it is installed.
 *
 *     @radprobe/protocol-knn 0.1.0
 *     k-nearest-neighbour probe …
 *     protocol kinds: knn
 *     /ws/node_modules/@radprobe/protocol-knn
 */
export function pluginTooltip(plugin: InstalledPlugin): string {
  const kinds = sections.filter(([section]) => plugin[section].length > 0).map(([section, label]) => `${label}: ${plugin[section].join(', ')}`);
  return [`${plugin.name} ${plugin.version}`.trim(), plugin.description, ...kinds, plugin.dir].filter((line) => line !== '').join('\n');
}

/** The tooltip of one kind under its plugin: which kind, and which package (and version) provides it. */
export function kindTooltip(plugin: InstalledPlugin, section: (typeof sections)[number][0], kind: string): string {
  const noun = section.slice(0, -1);
  return [`${noun} kind '${kind}' from ${plugin.name} ${plugin.version}`.trim(), plugin.description].filter((line) => line !== '').join('\n');
}
