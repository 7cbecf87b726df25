import type { Split } from '@radprobe/core';

const SPLIT_NAMES: Record<string, Split> = { train: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test' };

/** The split a folder name or manifest value stands for (`valid` and `validation` mean val), or null. */
export function splitFromName(name: string): Split | null {
  return SPLIT_NAMES[name.trim().toLowerCase()] ?? null;
}

export const SPLIT_ORDER: readonly Split[] = ['train', 'val', 'test'];
