import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '../../contracts/json-schema.js';
import type { RunResults } from '../../contracts/results.js';
import { createAjv } from '../config/ajv.js';
import { RadprobeError } from '../util/errors.js';
import resultsSchemaJson from '../../../schemas/results.schema.json' with { type: 'json' };

/** JSON Schema of `results.json` (the published file `schemas/results.schema.json`, bundled). */
export const resultsSchema: JsonSchema = resultsSchemaJson;

let validator: ValidateFunction | undefined;

/**
 * Checks a results object against the schema. The engine builds these objects, so a failure is a radprobe bug:
 * the error names the first offending pointer so that it can be found.
 */
export function assertValidRunResults(results: RunResults): void {
  validator ??= createAjv().compile(resultsSchema);
  if (validator(results)) return;
  // The `if` of the cell's if/then only repeats the error found inside `then`/`else`.
  const errors = (validator.errors ?? []).filter((error) => error.keyword !== 'if');
  const first = errors[0];
  const pointer = first?.instancePath ?? '';
  const details = errors.map((error) => `${error.instancePath || '(root)'}: ${error.message}`);
  throw new RadprobeError(`invalid run results (a radprobe bug): ${details.join('; ')}`, { pointer });
}
