import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_DECODE_LIMITS, RadprobeError, type DatasetContext, type DecodeLimits, type JsonSchema } from '@radprobe/core';

/** What to do with an item that cannot be used: the engine passes the run's `onBadItem` in. */
export type BadItemPolicy = 'fail' | 'skip';

/** Options every dataset kind accepts besides its own. */
export interface CommonOptions {
  kind?: string;
  name?: string;
  onBadItem?: BadItemPolicy;
}

/** Schema properties of `CommonOptions`: `kind` and `name` belong to the config entry, `onBadItem` to the engine. */
export const commonOptionProperties: Record<string, JsonSchema> = {
  kind: { type: 'string' },
  name: { type: 'string', minLength: 1 },
  onBadItem: { enum: ['fail', 'skip'], default: 'fail', description: 'Stop at a bad item (fail) or leave it out and report it (skip).' },
};

/** The run's decode limits, or the defaults for a context built without them. */
export function decodeLimitsOf(context: DatasetContext): DecodeLimits {
  return context.decodeLimits ?? DEFAULT_DECODE_LIMITS;
}

/**
 * The schema of an option naming a file or folder (relative to the config's folder): the `x-radprobe-path`
 * annotation lets `radprobe validate` check that it exists before anything runs.
 */
export function pathOption(expected: 'file' | 'dir', description: string): JsonSchema {
  return { type: 'string', minLength: 1, 'x-radprobe-path': expected, description };
}

/** The dataset's name in results: the entry's name, else its kind. */
export function datasetName(options: CommonOptions, kind: string): string {
  return options.name ?? kind;
}

/**
 * Resolves a path option against the config's folder and checks that it exists as the expected kind of entry,
 * naming the option and the path when it does not.
 */
export async function existingPath(baseDir: string, value: string, option: string, expected: 'directory' | 'file'): Promise<string> {
  const path = resolve(baseDir, value);
  const found = await stat(path).catch(() => null);
  if (!found) throw new RadprobeError(`option "${option}": ${expected} not found: ${path}`, { file: path, pointer: `/${option}` });
  if (expected === 'directory' ? !found.isDirectory() : !found.isFile()) {
    throw new RadprobeError(`option "${option}": ${path} is not a ${expected}`, { file: path, pointer: `/${option}` });
  }
  return path;
}

/** Shares of patients (or volumes, or items) a dataset without given splits carves into VAL and TEST. */
export interface SplitFractions {
  val: number;
  test: number;
}

const DEFAULT_SPLIT_FRACTIONS: SplitFractions = { val: 0.1, test: 0.2 };

/** The schema of a `splitFractions` option, described for the dataset kind's own case. */
export function splitFractionsOption(description: string): JsonSchema {
  return {
    type: 'object',
    properties: { val: { type: 'number', minimum: 0, exclusiveMaximum: 1 }, test: { type: 'number', minimum: 0, exclusiveMaximum: 1 } },
    required: ['val', 'test'],
    additionalProperties: false,
    default: DEFAULT_SPLIT_FRACTIONS,
    description,
  };
}

/** The option's fractions (or the defaults), refused when they leave no TRAIN. */
export function checkedSplitFractions(fractions: SplitFractions | undefined): SplitFractions {
  const chosen = fractions ?? DEFAULT_SPLIT_FRACTIONS;
  if (chosen.val + chosen.test >= 1) {
    throw new RadprobeError(`option "splitFractions": val + test must leave some TRAIN (got ${chosen.val} + ${chosen.test})`, { pointer: '/splitFractions' });
  }
  return chosen;
}
