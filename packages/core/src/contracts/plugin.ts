import type { BackboneFactory } from './backbone.js';
import type { DatasetFactory } from './dataset.js';
import type { Protocol } from './protocol.js';

/**
 * The `radprobe` field of a plugin's `package.json`: what it contributes, readable without importing its code
 * (the editor lists plugins from it). The package's module (`entry`, else its main export) must default-export
 * a `RadprobePlugin` contributing exactly these kinds.
 */
export interface PluginManifest {
  protocols?: string[];
  backbones?: string[];
  datasets?: string[];
  /** Module to import, relative to the package root; defaults to the package's main export. */
  entry?: string;
}

/** What a plugin module default-exports; `definePlugin()` checks its shape and keeps its type. */
export interface RadprobePlugin {
  protocols?: Protocol<any>[];
  backbones?: BackboneFactory<any>[];
  datasets?: DatasetFactory<any>[];
}

