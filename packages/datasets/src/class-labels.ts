import { RadprobeError } from '@radprobe/core';

/** How a single-label dataset turns class names into labels. */
export interface SingleLabelScheme {
  task: 'multiclass' | 'binary';
  /** Class names, index = label. */
  classes: string[];
  /** Label of a class name of the data. */
  labelOf(name: string): number;
  notes: string[];
}

export interface SingleLabelOptions {
  task?: 'multiclass' | 'binary';
  /** Positive class of a binary task. */
  positive?: string;
}

/**
 * Multiclass over `names` (already in order) unless `task: "binary"`: then `positive` is label 1 and every other
 * name label 0, named after the other class when there is exactly one, else `not <positive>`.
 */
export function singleLabelScheme(names: string[], options: SingleLabelOptions): SingleLabelScheme {
  if (options.task !== 'binary') {
    const index = new Map(names.map((name, label) => [name, label]));
    return { task: 'multiclass', classes: names, labelOf: (name) => index.get(name)!, notes: [] };
  }
  const positive = options.positive;
  if (positive === undefined) throw new RadprobeError('option "positive" is required when task is "binary"', { pointer: '/positive' });
  if (!names.includes(positive)) {
    throw new RadprobeError(`option "positive": class "${positive}" is not one of the classes (${names.join(', ')})`, { pointer: '/positive' });
  }
  const others = names.filter((name) => name !== positive);
  const negative = others.length === 1 ? others[0] : `not ${positive}`;
  const notes = others.length === 1 ? [] : [`binary task: "${positive}" (label 1) against ${others.map((name) => `"${name}"`).join(', ')} (label 0, "${negative}")`];
  return { task: 'binary', classes: [negative, positive], labelOf: (name) => (name === positive ? 1 : 0), notes };
}

/** Schema properties of `SingleLabelOptions`. */
export const singleLabelOptionProperties = {
  task: { enum: ['multiclass', 'binary'], default: 'multiclass', description: 'binary: `positive` against every other class.' },
  positive: { type: 'string', minLength: 1, description: 'Positive class of a binary task.' },
};
