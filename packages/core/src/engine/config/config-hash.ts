import type { RunConfig } from '../../contracts/config.js';
import { canonicalJson, sha256 } from '../util/hash.js';

/** Keys that change how a config is displayed or edited, never what a run computes or writes. */
const presentationKeys = new Set(['$schema']);

/** sha256 of the canonical JSON of the resolved config, presentation-only keys left out. */
export function configHash(config: RunConfig): string {
  const hashed = Object.fromEntries(Object.entries(config).filter(([key]) => !presentationKeys.has(key)));
  return sha256(canonicalJson(hashed));
}
