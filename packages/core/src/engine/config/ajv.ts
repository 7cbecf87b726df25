import { Ajv, type Options, type Plugin } from 'ajv';
import formatsModule from 'ajv-formats';

// ajv-formats is CommonJS: Node hands ESM the plugin function itself, bundlers and TypeScript a `default` key.
const addFormats = ((formatsModule as unknown as { default?: Plugin<unknown> }).default ?? formatsModule) as Plugin<unknown>;

/**
 * An Ajv instance for radprobe's schemas. `strict: false` because plugin schemas may carry editor keywords
 * (`markdownDescription`, `enumDescriptions`) that Ajv does not know; `verbose` keeps each error's schema and
 * data, which the config messages need for suggestions.
 */
export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, strictNumbers: true, verbose: true, ...options });
  addFormats(ajv);
  return ajv;
}
