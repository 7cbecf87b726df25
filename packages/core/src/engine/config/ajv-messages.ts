import type { ErrorObject } from 'ajv';
import type { PluginRegistry } from '../plugins/registry.js';
import { firstPartyPackageOf } from '../plugins/first-party.js';
import { sectionNoun, type ComponentSection } from '../plugins/sections.js';
import { closestMatch } from './did-you-mean.js';
import { escapePointerSegment } from './json-source.js';

/** An Ajv error restated for a person: where (a pointer, at the key or the value) and what. */
export interface DescribedError {
  pointer: string;
  at: 'key' | 'value';
  message: string;
}

const kindPointer = /^\/(backbones|datasets|protocols)\/\d+\/kind$/;

/**
 * Restates an Ajv error, or returns null for errors that only repeat another one (the `if` of an if/then says
 * "must match then schema" beside the real error from inside `then`).
 */
export function describeAjvError(error: ErrorObject, registry: PluginRegistry): DescribedError | null {
  const pointer = error.instancePath;
  switch (error.keyword) {
    case 'if':
      return null;
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const suggestion = closestMatch(key, allowed);
      return {
        pointer: `${pointer}/${escapePointerSegment(key)}`,
        at: 'key',
        message: suggestion ? `unknown key '${key}'; did you mean '${suggestion}'?` : `unknown key '${key}' (allowed: ${allowed.join(', ')})`,
      };
    }
    case 'required':
      return { pointer, at: 'value', message: `missing required key '${String(error.params.missingProperty)}'` };
    case 'not':
    case 'enum': {
      const section = kindPointer.exec(pointer)?.[1] as ComponentSection | undefined;
      // A kind that is not a string already has its type error.
      if (section && typeof error.data !== 'string') return null;
      if (section) return { pointer, at: 'value', message: unknownKindMessage(section, error.data as string, registry) };
      if (error.keyword === 'not') return { pointer, at: 'value', message: ajvMessage(error) };
      const allowed = (error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value));
      const suggestion = typeof error.data === 'string' ? closestMatch(error.data, error.params.allowedValues as string[]) : null;
      return { pointer, at: 'value', message: `must be one of ${allowed.join(', ')}${suggestion ? `; did you mean '${suggestion}'?` : ''}` };
    }
    case 'const':
      return { pointer, at: 'value', message: `must be ${JSON.stringify(error.params.allowedValue)}` };
    default:
      return { pointer, at: 'value', message: ajvMessage(error) };
  }
}

function ajvMessage(error: ErrorObject): string {
  return error.message ?? `fails "${error.keyword}"`;
}

function unknownKindMessage(section: ComponentSection, kind: string, registry: PluginRegistry): string {
  const noun = sectionNoun(section);
  const installed = [...registry[section].keys()].sort();
  const suggestion = closestMatch(kind, installed);
  const broken = registry.failures.find((failure) => failure.manifest?.[section]?.includes(kind));
  const firstParty = firstPartyPackageOf(section, kind);
  const hint = broken
    ? `'${kind}' comes from ${broken.packageName}@${broken.version}, which is installed but failed to load: ${broken.reason}`
    : firstParty
      ? `'${kind}' comes from ${firstParty}, which is not installed: npm i ${firstParty}`
      : `If '${kind}' comes from a plugin, install it (npm i <package>) or list it in "plugins".`;
  const unknown = `unknown ${noun} kind '${kind}' (installed: ${installed.length ? installed.join(', ') : 'none'})`;
  return suggestion ? `${unknown}; did you mean '${suggestion}'? ${hint}` : `${unknown}. ${hint}`;
}
