import type { ErrorObject } from 'ajv';
import type { PluginRegistry } from '../plugins/registry.js';
import { firstPartyPackageOf, firstPartyPlugins } from '../plugins/first-party.js';
import { componentSections, sectionNoun, type ComponentSection } from '../plugins/sections.js';
import { closestMatch, wholeWordMatch } from './did-you-mean.js';
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
  const broken = registry.failures.find((failure) => failure.manifest?.[section]?.includes(kind));
  const firstParty = firstPartyPackageOf(section, kind);
  const hint = broken
    ? `'${kind}' comes from ${broken.packageName}@${broken.version}, which is installed but failed to load: ${broken.reason}`
    : firstParty
      ? `'${kind}' comes from ${firstParty}, which is not installed: npm i ${firstParty}`
      : `If '${kind}' comes from a plugin, install it (npm i <package>) or list it in "plugins".`;
  const unknown = `unknown ${noun} kind '${kind}' (installed: ${installed.length ? installed.join(', ') : 'none'})`;
  const suggestion = broken || firstParty ? null : suggestKind(section, kind, registry);
  if (!suggestion) return `${unknown}. ${hint}`;
  if (suggestion.section !== section) {
    return `${unknown}; did you mean the ${sectionNoun(suggestion.section)} kind '${suggestion.kind}'? It goes in "${suggestion.section}".`;
  }
  if (suggestion.missingPackage) {
    return `${unknown}; did you mean '${suggestion.kind}'? It comes from ${suggestion.missingPackage}, which is not installed: npm i ${suggestion.missingPackage}`;
  }
  return `${unknown}; did you mean '${suggestion.kind}'? ${hint}`;
}

/**
 * The kind an unknown kind most likely meant, looked for in this order: the section's installed kinds, its
 * first-party kinds that are not installed, then every kind of the other sections (a dataset written under
 * protocols). Within each, a typo (`knnn`) before a kind named by some of its words (`nih` → `nih-chestxray14`).
 */
function suggestKind(section: ComponentSection, kind: string, registry: PluginRegistry): { kind: string; section: ComponentSection; missingPackage?: string } | null {
  const known = (of: ComponentSection) => new Set(registry[of].keys());
  const missing = (of: ComponentSection) =>
    firstPartyPlugins.filter((plugin) => plugin.section === of).flatMap((plugin) => plugin.kinds.filter((candidate) => !known(of).has(candidate)).map((candidate) => ({ kind: candidate, section: of, missingPackage: plugin.packageName })));
  const installed = (of: ComponentSection) => [...known(of)].sort().map((candidate) => ({ kind: candidate, section: of }));
  const others = componentSections.filter((other) => other !== section);
  const groups = [installed(section), missing(section), others.flatMap((other) => [...installed(other), ...missing(other)])];
  for (const group of groups) {
    const names = group.map((candidate) => candidate.kind);
    const match = closestMatch(kind, names) ?? wholeWordMatch(kind, names);
    if (match) return group.find((candidate) => candidate.kind === match)!;
  }
  return null;
}
