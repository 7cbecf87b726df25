import { RadprobeError, validateOptions, type Protocol } from '@radprobe/core';
import { WRAPPABLE_KINDS, type WrappableKind } from './options.js';

/**
 * What the wrapped protocol does with VAL. `choose`: it picks a setting on VAL and then retrains, so few-shot
 * keeps VAL whole and sets its `finalTraining` to TRAIN alone. `leave-out`: it would train on VAL (ML-kNN fits
 * on TRAIN ∪ VAL) and chooses nothing on it, so few-shot hides VAL from it.
 */
export type ValUse = 'choose' | 'leave-out';

const VAL_USE: Record<WrappableKind, ValUse> = { linear: 'choose', seg: 'choose', knn: 'leave-out' };

/**
 * The setting fields that tell a protocol's selected TEST rows apart (seg reports one per decoder); the other
 * fields (the learning rate, blocks, …) are chosen on VAL and may differ from try to try.
 */
const SELECTED_ROW_KEYS: Record<WrappableKind, string[]> = { linear: [], seg: ['decoder'], knn: [] };

export interface InnerProtocol {
  protocol: Protocol<any>;
  /** Its options, defaults filled, without `kind` and `name` (as the engine hands options to `run`). */
  options: Record<string, unknown>;
  valUse: ValUse;
  /** Setting fields that identify each of its selected TEST rows across tries. */
  selectedRowKeys: string[];
}

/**
 * The wrapped protocol of a few-shot entry: looked up among the installed protocols, its options checked against
 * its own schema (errors name the pointer under `/protocol`), and made to retrain on TRAIN alone.
 */
export function innerProtocol(entry: { kind: string } & Record<string, unknown>, protocols: (kind: string) => Protocol<any> | undefined): InnerProtocol {
  const kind = entry.kind as WrappableKind;
  if (!WRAPPABLE_KINDS.includes(kind)) {
    throw new RadprobeError(`few-shot option protocol.kind = ${JSON.stringify(entry.kind)} must be one of ${WRAPPABLE_KINDS.join(', ')}`, { pointer: '/protocol/kind' });
  }
  const protocol = protocols(kind);
  if (!protocol) throw new RadprobeError(`few-shot wraps protocol kind '${kind}', which is not installed: npm i @radprobe/protocol-${kind}`, { pointer: '/protocol/kind' });
  const validated = validateOptions<Record<string, unknown>>(protocol.optionsSchema, entry, `few-shot option protocol (${kind})`, '/protocol');
  const { kind: _kind, name: _name, ...options } = validated;
  const valUse = VAL_USE[kind];
  if (valUse === 'choose') {
    const properties = (protocol.optionsSchema.properties ?? {}) as Record<string, unknown>;
    if (!('finalTraining' in properties)) {
      throw new RadprobeError(`few-shot cannot wrap '${kind}': it has no finalTraining option, so it would retrain on TRAIN ∪ VAL and add VAL to the few-shot training set`, { pointer: '/protocol/kind' });
    }
    if (entry.finalTraining !== undefined && entry.finalTraining !== 'train') {
      throw new RadprobeError(`few-shot option protocol.finalTraining = ${JSON.stringify(entry.finalTraining)}: a few-shot training set never includes VAL, so it must be "train" (the default here)`, {
        pointer: '/protocol/finalTraining',
      });
    }
    options.finalTraining = 'train';
  }
  return { protocol, options, valUse, selectedRowKeys: SELECTED_ROW_KEYS[kind] };
}
