import type { Split } from '../../contracts/index.js';

/** The three splits, in the order tables list them. */
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];
