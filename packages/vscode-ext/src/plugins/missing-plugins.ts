import type { ConfigEntryLocation, ConfigSection } from '../config/entry-locations.js';
import type { InstalledPlugin } from './manifest-scan.js';

/**
 * radprobe's own plugin packages by the kinds they contribute, so that a missing kind can come with the command
 * that installs it. Mirrors the table in @radprobe/core's `first-party.ts` (the extension host loads no radprobe
 * code); a kind not listed gets a generic hint.
 */
const firstPartyPackages: Record<ConfigSection, Record<string, string>> = {
  protocols: {
    knn: '@radprobe/protocol-knn',
    linear: '@radprobe/protocol-linear',
    fewshot: '@radprobe/protocol-fewshot',
    seg: '@radprobe/protocol-seg',
    peft: '@radprobe/protocol-peft',
  },
  backbones: { onnx: '@radprobe/backbone-onnx' },
  datasets: Object.fromEntries(
    [
      'image-folder', 'csv', 'nih-chestxray14', 'chexpert', 'sars-cov-2-ct', 'brain-tumor-mri', 'montgomery', 'shenzhen', 'medmnist', 'btcv', 'amos', 'msd',
      'dicom', 'segmentation-folder', 'dicomweb',
    ].map(
      (kind) => [kind, '@radprobe/datasets'],
    ),
  ),
};

const noun: Record<ConfigSection, string> = { protocols: 'protocol', backbones: 'backbone', datasets: 'dataset' };

export interface MissingPlugin {
  entry: ConfigEntryLocation;
  message: string;
  /** The package to install, when radprobe knows which one provides the kind. */
  packageName: string | null;
}

/** Config entries whose kind no installed plugin contributes, with a message that says what to install. */
export function missingPlugins(entries: readonly ConfigEntryLocation[], installed: readonly InstalledPlugin[]): MissingPlugin[] {
  const provided: Record<ConfigSection, Set<string>> = {
    protocols: new Set(installed.flatMap((plugin) => plugin.protocols)),
    backbones: new Set(installed.flatMap((plugin) => plugin.backbones)),
    datasets: new Set(installed.flatMap((plugin) => plugin.datasets)),
  };
  return entries
    .filter((entry) => !provided[entry.section].has(entry.kind))
    .map((entry) => {
      const packageName = firstPartyPackages[entry.section][entry.kind] ?? null;
      const message = packageName
        ? `no installed plugin provides the ${noun[entry.section]} kind '${entry.kind}': install it with \`npm install --save-dev ${packageName}\``
        : `no installed plugin provides the ${noun[entry.section]} kind '${entry.kind}': install the plugin package that does (its package.json lists '${entry.kind}' under radprobe.${entry.section}), or add it to the config's "plugins"`;
      return { entry, message, packageName };
    });
}
