import type { JsonSchema } from '../../contracts/json-schema.js';
import type { PluginRegistry, RegistrationSource } from '../plugins/registry.js';
import { componentSections, sectionNoun, type ComponentSection } from '../plugins/sections.js';
import { writeFileAtomic } from '../util/atomic.js';
import { RadprobeError } from '../util/errors.js';
import { configSchema, engineBackboneOptions, entryNameSchema } from './core-schema.js';
import { escapePointerSegment } from './json-source.js';

type Registration = RegistrationSource & ({ protocol: { title: string; optionsSchema: JsonSchema } } | { factory: { optionsSchema: JsonSchema } });

/**
 * The run config's schema with every installed kind: `kind` is an enum of the installed kinds and each kind's
 * options schema applies through `if kind = … then options`, which editors follow for completion and hover docs.
 * Plugin `$defs` / `definitions` are hoisted to the root (`<section>.<kind>.<name>`) so that their `$ref`s
 * still resolve once embedded.
 */
export function composeConfigSchema(registry: PluginRegistry): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  const entries = {} as Record<ComponentSection, JsonSchema>;
  for (const section of componentSections) {
    const registrations = [...(registry[section] as Map<string, Registration>).values()].sort((a, b) => (a.kind < b.kind ? -1 : 1));
    entries[section] = composedEntry(section, registrations, definitions);
  }
  return configSchema(entries, definitions);
}

/** Writes the composed schema (atomically) where a config's `$schema` can point to it. */
export async function writeConfigSchema(path: string, registry: PluginRegistry): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(composeConfigSchema(registry), null, 2)}\n`);
}

function composedEntry(section: ComponentSection, registrations: Registration[], definitions: Record<string, JsonSchema>): JsonSchema {
  const noun = sectionNoun(section);
  const entry: JsonSchema = {
    type: 'object',
    required: ['kind'],
    description: `An entry of "${section}": its kind and that kind's options.`,
    properties: { kind: kindSchema(noun, registrations), name: entryNameSchema },
  };
  // JSON Schema forbids an empty allOf (and an empty enum, see kindSchema).
  if (registrations.length) {
    entry.allOf = registrations.map((registration) => ({
      if: { properties: { kind: { const: registration.kind } }, required: ['kind'] },
      then: optionsBranch(section, registration, definitions),
    }));
  }
  return entry;
}

function kindSchema(noun: string, registrations: Registration[]): JsonSchema {
  if (!registrations.length) return { type: 'string', not: {}, description: `No ${noun} kinds are installed.` };
  return {
    type: 'string',
    enum: registrations.map((registration) => registration.kind),
    enumDescriptions: registrations.map(describeKind),
    description: `Which ${noun} this entry is: one of the installed ${noun} kinds.`,
  };
}

function describeKind(registration: Registration): string {
  const origin = `${registration.packageName}@${registration.version}`;
  return 'protocol' in registration ? `${registration.protocol.title} (protocol from ${origin})` : `from ${origin}`;
}

function optionsBranch(section: ComponentSection, registration: Registration, definitions: Record<string, JsonSchema>): JsonSchema {
  const optionsSchema = 'protocol' in registration ? registration.protocol.optionsSchema : registration.factory.optionsSchema;
  const { $schema: _dialect, $id: _id, $defs, definitions: legacyDefinitions, ...options } = optionsSchema;
  const where = `options schema of ${sectionNoun(section)} kind '${registration.kind}' (${registration.packageName})`;
  const prefix = `${section}.${registration.kind}.`;
  const hoisted = { ...(legacyDefinitions as Record<string, JsonSchema> | undefined), ...($defs as Record<string, JsonSchema> | undefined) };
  for (const [name, definition] of Object.entries(hoisted)) definitions[prefix + name] = rewriteRefs(definition, prefix, where) as JsonSchema;
  const rewritten = rewriteRefs(options, prefix, where) as JsonSchema;
  // No description here: VS Code's hover takes the first description it meets (this one) and adds the kind list's
  // enumDescriptions entry, which says the same; without it the kind reads as "which protocol this entry is" + what it is.
  const kindSchema = { const: registration.kind };
  return {
    ...rewritten,
    type: 'object',
    description: typeof rewritten.description === 'string' ? rewritten.description : `Options of ${sectionNoun(section)} kind '${registration.kind}' (${describeKind(registration)}).`,
    properties: {
      ...(rewritten.properties as Record<string, JsonSchema> | undefined),
      ...(section === 'backbones' ? engineBackboneOptions : {}),
      kind: kindSchema,
      name: entryNameSchema,
    },
    // Unless the plugin says otherwise, unknown options are errors: a misspelt option must not silently fall back to its default.
    additionalProperties: rewritten.additionalProperties ?? false,
  };
}

function rewriteRefs(value: unknown, prefix: string, where: string): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, prefix, where));
  if (!value || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    copy[key] = key === '$ref' && typeof child === 'string' ? rewriteRef(child, prefix, where) : rewriteRefs(child, prefix, where);
  }
  return copy;
}

function rewriteRef(ref: string, prefix: string, where: string): string {
  const match = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref);
  if (!match) {
    throw new RadprobeError(`${where}: $ref '${ref}' is not supported; only '#/$defs/<name>' and '#/definitions/<name>' can be embedded in the config schema`);
  }
  const name = match[1].replace(/~1/g, '/').replace(/~0/g, '~');
  return `#/$defs/${escapePointerSegment(prefix + name)}`;
}
