import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/index.js';
import { ConfigError, loadConfig, validateConfigText } from '../src/engine/index.js';
import { fakeRegistry } from './fake-registry.js';
import { makeTempDir } from './plugin-fixtures.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const registry = fakeRegistry();

const config = (protocol: string, dataset = '{ "kind": "image-folder", "path": "d" }') => `{
  "backbones": [{ "kind": "onnx", "model": "m.onnx" }],
  "datasets": [${dataset}],
  "protocols": [${protocol}]
}`;

function messageOf(text: string): string {
  try {
    validateConfigText(text, 'radprobe.json', registry, {});
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('a single value where the schema wants a list', () => {
  it('is read as a list of one, in the resolved config (through $refs too)', () => {
    const resolved = validateConfigText(config('{ "kind": "knn", "k": 5 }, { "kind": "linear", "learningRates": 0.01 }'), 'radprobe.json', registry, {});
    expect(resolved.protocols[0].k).toEqual([5]);
    expect(resolved.protocols[1].learningRates).toEqual([0.01]);
  });

  it('is noted by loadConfig, which run and validate share', async () => {
    const dir = await makeTempDir('lists');
    const file = join(dir, 'radprobe.json');
    await writeFile(file, config('{ "kind": "knn", "k": 5 }'));
    const loaded = await loadConfig(file, registry);
    expect(loaded.config.protocols[0].k).toEqual([5]);
    expect(loaded.notes).toEqual(['/protocols/0/k: 5 read as a list of one']);
  });

  it('is left alone, and reported, where the list of one would still be wrong', () => {
    expect(messageOf(config('{ "kind": "knn", "k": 0 }'))).toBe('radprobe.json:4:39 /protocols/0/k: must be array');
    expect(messageOf(config('{ "kind": "knn", "k": "5" }'))).toBe('radprobe.json:4:39 /protocols/0/k: must be array');
  });

  it('is read as a list of one in options checked at run time (a protocol nested in few-shot)', () => {
    const schema = { type: 'object', properties: { k: { type: 'array', items: { type: 'integer' } }, crop: { oneOf: [{ type: 'array', minItems: 2 }, { const: false }] } } };
    expect(validateOptions(schema, { k: 7 }, 'few-shot protocol', '/protocol')).toEqual({ k: [7] });
    expect(() => validateOptions(schema, { crop: 0.5 }, 'few-shot protocol', '/protocol')).toThrow(/few-shot protocol at \/protocol\/crop/);
  });
});

describe('an unknown kind', () => {
  it('is matched against the first-party kinds that are not installed, by whole words', () => {
    expect(messageOf(config('{ "kind": "knn" }', '{ "kind": "nih", "path": "d" }'))).toBe(
      "radprobe.json:3:26 /datasets/0/kind: unknown dataset kind 'nih' (installed: image-folder); did you mean 'nih-chestxray14'? It comes from @radprobe/datasets, which is not installed: npm i @radprobe/datasets",
    );
  });

  it('is matched against the kinds of the other sections', () => {
    expect(messageOf(config('{ "kind": "image-folder" }'))).toBe(
      'radprobe.json:4:27 /protocols/0/kind: unknown protocol kind \'image-folder\' (installed: knn, linear); did you mean the dataset kind \'image-folder\'? It goes in "datasets".',
    );
    expect(messageOf(config('{ "kind": "chexpert" }'))).toContain("did you mean the dataset kind 'chexpert'? It goes in \"datasets\".");
  });
});
