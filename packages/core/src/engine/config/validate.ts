import type { ValidateFunction } from 'ajv';
import type { ComponentEntry, RunConfig } from '../../contracts/config.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { ComponentSection } from '../plugins/sections.js';
import { createAjv } from './ajv.js';
import { describeAjvError } from './ajv-messages.js';
import { composeConfigSchema } from './compose-schema.js';
import { ConfigError, type ConfigCheck, type ConfigIssue } from './config-error.js';
import { duplicateEntryNames, fillEntryNames } from './entry-names.js';
import { substituteEnvVariables } from './env-variables.js';
import { JsonSource, MAX_NESTING, valueAt } from './json-source.js';
import { wrapScalarsInLists } from './list-of-one.js';
import { resolveModelStore } from './model-store.js';

const validators = new WeakMap<PluginRegistry, ValidateFunction>();

function validatorFor(registry: PluginRegistry): ValidateFunction {
  let validate = validators.get(registry);
  if (!validate) {
    validate = createAjv({ useDefaults: true }).compile(composeConfigSchema(registry));
    validators.set(registry, validate);
  }
  return validate;
}

/** A validated, resolved config, with what resolving it read differently from the text. */
export interface ValidatedConfig {
  config: RunConfig;
  /** Single values read as lists of one, e.g. `/protocols/0/k: 5 read as a list of one`. */
  notes: string[];
}

/** `validateConfigSource`'s config alone. */
export function validateConfigText(text: string, file: string, registry: PluginRegistry, env: NodeJS.ProcessEnv = process.env): RunConfig {
  return validateConfigSource(text, file, registry, env).config;
}

/**
 * Parses and validates a run config's text against the schema composed from `registry`, and resolves it:
 * `${env:NAME}` / `${env:NAME:-default}` in string values substituted from `env`, a single value where the schema
 * wants a list read as a list of one, defaults filled, entry names filled, the model store expanded. `file` names
 * the file in messages; a `.jsonc` file may hold comments. Every problem is reported at once, in one
 * `ConfigError`, each with its line, column and JSON pointer.
 */
export function validateConfigSource(text: string, file: string, registry: PluginRegistry, env: NodeJS.ProcessEnv = process.env): ValidatedConfig {
  const source = new JsonSource(text, { comments: file.endsWith('.jsonc') });
  const issueAt = (offset: number, pointer: string, message: string, check: ConfigCheck = 'schema'): ConfigIssue => ({ file, ...source.position(offset), pointer, message, check });
  if (source.tooDeep) {
    const { offset, pointer } = source.tooDeep;
    throw new ConfigError(file, [issueAt(offset, pointer, `nested more than ${MAX_NESTING} levels deep; a radprobe config is never that deep`, 'syntax')]);
  }
  if (source.syntaxErrors.length) {
    throw new ConfigError(file, source.syntaxErrors.map((error) => issueAt(error.offset, '', error.message, 'syntax')));
  }
  const substituted = substituteEnvVariables(source.value(), env);
  const data = substituted.value;
  const configured = data && typeof data === 'object' ? (data as Record<string, unknown>).modelStore : undefined;

  const issues: ConfigIssue[] = source
    .duplicateKeys()
    .map((duplicate) => issueAt(duplicate.offset, duplicate.pointer, `duplicate key '${duplicate.key}'`));
  for (const issue of substituted.issues) issues.push(issueAt(source.offsetOf(issue.pointer), issue.pointer, issue.message, 'variables'));
  const validate = validatorFor(registry);
  const listed = data && typeof data === 'object' ? wrapScalarsInLists(validate, data) : [];
  if (!validate(data)) {
    for (const error of validate.errors ?? []) {
      const described = describeAjvError(error, registry);
      if (described) issues.push(issueAt(source.offsetOf(described.pointer, described.at), described.pointer, described.message));
    }
  }
  if (data && typeof data === 'object') {
    for (const duplicate of duplicateEntryNames(data as Record<string, unknown>)) {
      issues.push(issueAt(source.offsetOf(duplicate.pointer), duplicate.pointer, duplicate.message));
    }
  }
  if (issues.length) throw new ConfigError(file, sortedUnique(issues));

  const config = data as RunConfig;
  fillEntryNames(config as unknown as Record<ComponentSection, ComponentEntry[]>);
  config.modelStore = resolveModelStore(configured, env);
  const notes = listed.map((pointer) => `${pointer}: ${JSON.stringify((valueAt(config, pointer) as unknown[])[0])} read as a list of one`);
  return { config, notes };
}

function sortedUnique(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((issue) => {
      const key = `${issue.line}:${issue.column}:${issue.pointer}:${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}
