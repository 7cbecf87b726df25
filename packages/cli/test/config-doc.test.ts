import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeConfigSchema, loadRegistry } from '@radprobe/core/engine';
import { builtinPlugins, cliSearchDirs } from '../src/builtins.js';

const CONFIG_DOC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'config.md');

type Properties = Record<string, unknown>;
interface EntrySchema {
  properties: Properties;
  allOf: Array<{ if: { properties: { kind: { const: string } } }; then: { properties: Properties } }>;
}

/** The keys in the first column (`key`) of the first table under the heading `## title`. */
function documentedKeys(markdown: string, title: string): string[] {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`docs/config.md has no section "## ${title}"`);
  const section = markdown.slice(start + 1).split(/\n## /)[0];
  const table = section.split('\n').filter((line) => line.startsWith('| `'));
  if (table.length === 0) throw new Error(`docs/config.md, "## ${title}": no table of options`);
  return table.map((line) => /^\| `([^`]+)`/.exec(line)![1]).sort();
}

/** docs/config.md's tables against the schema `radprobe schema` writes with the CLI's own plugins installed. */
describe('docs/config.md', () => {
  let markdown: string;
  let schema: { properties: Properties & { backbones: { items: EntrySchema } } };
  beforeAll(async () => {
    markdown = await readFile(CONFIG_DOC, 'utf8');
    const registry = await loadRegistry({ baseDir: dirname(CONFIG_DOC), explicit: [], builtins: builtinPlugins, searchDirs: cliSearchDirs });
    schema = composeConfigSchema(registry) as typeof schema;
  });

  it('documents every top-level key of the schema, and only those', () => {
    expect(documentedKeys(markdown, 'Top level')).toEqual(Object.keys(schema.properties).sort());
  });

  it('documents the options every backbone entry takes and those of kind onnx, and only those', () => {
    const entry = schema.properties.backbones.items;
    const onnx = entry.allOf.find((branch) => branch.if.properties.kind.const === 'onnx')!.then.properties;
    const common = documentedKeys(markdown, 'Backbone entries');
    expect(common).toEqual(expect.arrayContaining(['batchSize', 'device', 'name']));
    // `kind` is what the section is about; every other key of the onnx branch is documented once, in one table.
    const documented = [...common, ...documentedKeys(markdown, 'Backbone `onnx`')].sort();
    expect(documented).toEqual(Object.keys(onnx).filter((key) => key !== 'kind').sort());
  });
});
