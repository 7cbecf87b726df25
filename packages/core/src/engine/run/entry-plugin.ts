import type { ComponentEntry } from '../../contracts/index.js';
import type { RegistrationSource } from '../plugins/registry.js';
import { RadprobeError, errorMessage } from '../util/errors.js';

/** A config entry and the plugin package whose code serves it. */
export interface EntryPlugin {
  section: 'backbone' | 'dataset' | 'protocol';
  /** The entry's name. */
  entry: string;
  kind: string;
  packageName: string;
  version: string;
}

export function entryPlugin(section: EntryPlugin['section'], entry: ComponentEntry, registration: RegistrationSource): EntryPlugin {
  return { section, entry: entry.name!, kind: entry.kind, packageName: registration.packageName, version: registration.version };
}

/** `package@version`. */
export function pluginId(plugin: EntryPlugin): string {
  return `${plugin.packageName}@${plugin.version}`;
}

/** `backbone "vit" (kind onnx, @acme/x@1.2.0)`: how messages name an entry and the plugin that serves it. */
function entryLabel(plugin: EntryPlugin): string {
  return `${plugin.section} "${plugin.entry}" (kind ${plugin.kind}, ${pluginId(plugin)})`;
}

/**
 * An error from a plugin's code (or in what it returned), its message prefixed with the entry and the package. A
 * RadprobeError is the plugin's one-line message for users; anything else is a bug in the plugin, whose stack
 * `bugStack` keeps for the log.
 */
export class PluginError extends RadprobeError {
  readonly plugin: EntryPlugin;
  /** The stack frames (`    at …` lines) of an error that is not a RadprobeError; null for one that is. */
  readonly bugStack: string | null;

  constructor(plugin: EntryPlugin, error: unknown) {
    const where = error instanceof RadprobeError ? { file: error.file, pointer: error.pointer } : {};
    super(`${entryLabel(plugin)}: ${errorMessage(error)}`, { ...where, cause: error });
    this.name = 'PluginError';
    this.plugin = plugin;
    this.bugStack = error instanceof RadprobeError ? null : stackFrames(error);
  }
}

function stackFrames(error: unknown): string | null {
  if (!(error instanceof Error) || !error.stack) return null;
  const frames = error.stack.split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length ? frames.join('\n') : null;
}

/**
 * Runs plugin code (synchronous or not) for an entry; whatever it throws becomes a `PluginError` naming the entry
 * and the package.
 */
export async function callPlugin<T>(plugin: EntryPlugin, call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof PluginError ? error : new PluginError(plugin, error);
  }
}
