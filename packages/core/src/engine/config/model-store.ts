import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultModelStore } from './core-schema.js';

/**
 * The model store folder: the config's own setting, else `RADPROBE_MODEL_STORE`, else the default; a leading
 * `~` is the home folder.
 */
export function resolveModelStore(configured: unknown, env: NodeJS.ProcessEnv): string {
  const chosen = typeof configured === 'string' ? configured : env.RADPROBE_MODEL_STORE || defaultModelStore;
  if (chosen === '~') return homedir();
  if (chosen.startsWith('~/') || chosen.startsWith('~\\')) return join(homedir(), chosen.slice(2));
  return chosen;
}
