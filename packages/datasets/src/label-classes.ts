import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, RadprobeError, type JsonSchema } from '@radprobe/core';
import { columnIndex, parseCsv } from './csv-table.js';

/**
 * The classes of a user's segmentation set: the label value each class stands for in the mask files, in class-index
 * order (ascending values; the class of value 0 is index 0, the background).
 */
export interface SegmentationClasses {
  names: string[];
  values: number[];
  /** Class index of each stored value 0..65535, −1 where the value is not a class. */
  indexOf: Int32Array;
  /** Where the list came from, for the dataset's notes. */
  origin: string;
}

/** Class names in label-value order (`["background", "lung"]`: values 0, 1), or label value → name (`{ "0": "background", "255": "lesion" }`). */
export type ClassListOption = string[] | Record<string, string>;

/** Label values a mask PNG can store (16 bits at most). */
const VALUE_COUNT = 65536;
const CLASS_FILES = ['classes.json', 'classes.csv'];

/** Schema of the `classes` option of a segmentation set. */
export const classListSchema: JsonSchema = {
  description:
    'Segmentation classes: names in label-value order (["background", "lung"] for values 0, 1), or label value → name ({ "0": "background", "255": "lesion" }); value 0 is the background. Default: classes.json or classes.csv beside the data.',
  anyOf: [
    { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 2, uniqueItems: true },
    { type: 'object', propertyNames: { pattern: '^(0|[1-9][0-9]{0,4})$' }, additionalProperties: { type: 'string', minLength: 1 }, minProperties: 2 },
  ],
};

/**
 * The classes of a segmentation set: the `classes` option when given, else `classes.json` (the same array or object)
 * or `classes.csv` (header `value,name`) in `folder`. Errors name the option's pointer or the file.
 */
export async function segmentationClasses(option: ClassListOption | undefined, folder: string): Promise<SegmentationClasses> {
  if (option !== undefined) return classList(option, 'the "classes" option', { pointer: '/classes' });
  const found = (await Promise.all(CLASS_FILES.map(async (name) => ((await readFile(join(folder, name), 'utf8').catch(() => null)) === null ? [] : [name])))).flat();
  if (found.length === 0) {
    throw new RadprobeError(
      `a segmentation set needs its class names: the "classes" option (["background", "lung"] or { "0": "background", "255": "lesion" }), or classes.json or classes.csv in ${folder}`,
      { pointer: '/classes', file: folder },
    );
  }
  if (found.length > 1) throw new RadprobeError(`${folder} holds both classes.json and classes.csv; keep one`, { file: folder });
  const file = join(folder, found[0]);
  const text = await readFile(file, 'utf8');
  if (found[0] === 'classes.csv') return classList(csvClasses(text, file), file, { file });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RadprobeError(`${file}: not JSON (${errorMessage(error)})`, { file });
  }
  return classList(parsed, file, { file });
}

function csvClasses(text: string, file: string): Record<string, string> {
  const table = parseCsv(text, file);
  const columns = columnIndex(table, file, ['value', 'name']);
  const classes: Record<string, string> = {};
  for (const { line, cells } of table.records) {
    const value = cells[columns.value]?.trim() ?? '';
    if (value in classes) throw new RadprobeError(`${file}:${line}: label value ${value} is listed twice`, { file });
    classes[value] = cells[columns.name]?.trim() ?? '';
  }
  return classes;
}

/** Checks a class list from `origin` (the option, or a file) and indexes its values. */
function classList(list: unknown, origin: string, where: { pointer?: string; file?: string }): SegmentationClasses {
  const fail = (problem: string): never => {
    throw new RadprobeError(`${origin}: ${problem}`, where);
  };
  let entries: Array<[number, string]>;
  if (Array.isArray(list)) entries = list.map((name, value) => [value, name]);
  else if (list !== null && typeof list === 'object') {
    entries = Object.entries(list as Record<string, unknown>).map(([key, name]) => {
      const value = /^(0|[1-9][0-9]*)$/.test(key.trim()) ? Number(key.trim()) : NaN;
      if (!(value < VALUE_COUNT)) fail(`"${key}" is not a label value 0..${VALUE_COUNT - 1}`);
      return [value, name as string];
    });
  } else return fail('expected class names in label-value order (an array) or label value → name (an object)');
  entries.sort((a, b) => a[0] - b[0]);
  for (const [value, name] of entries) if (typeof name !== 'string' || name.trim() === '') fail(`label value ${value} has no class name`);
  const names = entries.map(([, name]) => name.trim());
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) fail(`class name "${twice}" is given twice`);
  if (entries.length < 2) fail('a segmentation set needs at least two classes (the background, value 0, and one more)');
  if (entries[0][0] !== 0) fail('label value 0 (the background) has no class name');
  const indexOf = new Int32Array(VALUE_COUNT).fill(-1);
  entries.forEach(([value], index) => (indexOf[value] = index));
  return { names, values: entries.map(([value]) => value), indexOf, origin };
}

/**
 * The classes of a segmentation set as messages name them, label value and name: all of them when there are few
 * (`0 background, 1 lung`), else the first and the last (`0 background … 13 left adrenal gland`).
 */
export function describeClasses(names: readonly string[], values: readonly number[] = names.map((_, index) => index)): string {
  const named = names.map((name, index) => `${values[index]} ${name}`);
  return named.length <= 4 ? named.join(', ') : `${named[0]} … ${named[named.length - 1]}`;
}
