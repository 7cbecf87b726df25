import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '../../contracts/json-schema.js';
import { RadprobeError } from '../util/errors.js';
import { createAjv } from './ajv.js';
import { escapePointerSegment } from './json-source.js';
import { wrapScalarsInLists } from './list-of-one.js';

const validators = new WeakMap<JsonSchema, ValidateFunction>();

/**
 * Checks `options` against a plugin's options schema at run time, for entries the config schema cannot check
 * up front (a protocol nested in another protocol's options). Returns a copy with the schema's defaults filled
 * in and single values read as lists of one where the schema wants a list (as a config's own options are); on the first problem throws a RadprobeError naming `what` and the JSON pointer `at` + the path inside.
 */
export function validateOptions<T>(schema: JsonSchema, options: unknown, what: string, at: string): T {
  let validate = validators.get(schema);
  if (!validate) {
    // The dialect keyword would make Ajv look for a draft-2020 meta-schema it was not given; the keywords are the same.
    const { $schema: _dialect, ...keywords } = schema;
    validate = createAjv({ useDefaults: true, allErrors: false }).compile(keywords);
    validators.set(schema, validate);
  }
  const copy = structuredClone(options);
  wrapScalarsInLists(validate, copy);
  if (validate(copy)) return copy as T;
  const [error] = validate.errors!;
  const key = error.keyword === 'additionalProperties' ? `/${escapePointerSegment(String(error.params.additionalProperty))}` : '';
  const pointer = `${at}${error.instancePath}${key}`;
  const problem = key ? `unknown key '${String(error.params.additionalProperty)}'` : (error.message ?? `fails "${error.keyword}"`);
  throw new RadprobeError(`${what} at ${pointer}: ${problem}`, { pointer });
}
