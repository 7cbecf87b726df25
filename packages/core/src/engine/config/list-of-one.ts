import type { ErrorObject, ValidateFunction } from 'ajv';
import { pointerSegments } from './json-source.js';

type Container = Record<string, unknown> | unknown[];

/**
 * Reads a single value where the schema wants a list as a list of one (`"k": 5` as `"k": [5]`), in place, where
 * that is the only reading: the schema there asks for an array and nothing else, the value is a scalar, and the
 * list of one passes the schema (a value that would be a bad entry is left for validation to report). People write
 * one setting as a scalar; a run must then record what it ran, so the resolved config holds the list.
 * Returns the pointers of the values it wrapped.
 */
export function wrapScalarsInLists(validate: ValidateFunction, data: unknown): string[] {
  const wrapped: string[] = [];
  const tried = new Set<string>();
  // Each round may reveal a further one (a validator that stops at the first error shows one at a time).
  while (!validate(data)) {
    const candidates = [...new Set((validate.errors ?? []).filter(isScalarForList).map((error) => error.instancePath))].filter((pointer) => !tried.has(pointer));
    if (candidates.length === 0) break;
    for (const pointer of candidates) {
      tried.add(pointer);
      update(data, pointer, (value) => [value]);
    }
    if (validate(data)) {
      wrapped.push(...candidates);
      break;
    }
    for (const pointer of candidates) {
      const refused = (validate.errors ?? []).some((error) => error.instancePath === pointer || error.instancePath.startsWith(`${pointer}/`));
      if (refused) update(data, pointer, (list) => (list as unknown[])[0]);
      else wrapped.push(pointer);
    }
  }
  return wrapped;
}

function isScalarForList(error: ErrorObject): boolean {
  const value: unknown = error.data;
  return error.keyword === 'type' && error.schema === 'array' && error.instancePath !== '' && ['number', 'string', 'boolean'].includes(typeof value);
}

function update(data: unknown, pointer: string, change: (value: unknown) => unknown): void {
  const segments = pointerSegments(pointer);
  const key = segments.pop()!;
  let parent = data as Container;
  for (const segment of segments) parent = (parent as Record<string, unknown>)[segment] as Container;
  (parent as Record<string, unknown>)[key] = change((parent as Record<string, unknown>)[key]);
}
