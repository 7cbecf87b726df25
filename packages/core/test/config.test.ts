import { readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RadprobeError, type RunConfig } from '../src/index.js';
import {
  ConfigError,
  closestMatch,
  composeConfigSchema,
  configHash,
  coreConfigSchema,
  editDistance,
  loadConfig,
  validateConfigText,
  writeConfigSchema,
} from '../src/engine/index.js';
import { fakeRegistry } from './fake-registry.js';
import { makeTempDir } from './plugin-fixtures.js';

const registry = fakeRegistry();
const noEnv = {};

function errorOf(text: string): ConfigError {
  try {
    validateConfigText(text, 'radprobe.json', registry, noEnv);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

const minimal = `{
  "seed": 3,
  "backbones": [{ "kind": "onnx", "model": "models/dinov2-small.onnx" }],
  "datasets": [{ "kind": "image-folder", "path": "data" }],
  "protocols": [{ "kind": "knn" }, { "kind": "linear" }]
}`;

describe('validateConfigText', () => {
  it('fills every default and every entry name', () => {
    const config = validateConfigText(minimal, 'radprobe.json', registry, noEnv);
    expect(config).toEqual({
      seed: 3,
      output: 'results',
      cache: '.radprobe/cache',
      modelStore: join(homedir(), '.cache/radprobe/models'),
      plugins: [],
      onBadItem: 'fail',
      device: 'auto',
      batchSize: 16,
      bootstrap: { samples: 1000, confidence: 0.95 },
      decodeLimits: { maxMegapixels: 200, maxDecodedMiB: 2048 },
      preprocessing: 'study',
      backbones: [{ kind: 'onnx', name: 'dinov2-small', model: 'models/dinov2-small.onnx' }],
      datasets: [{ kind: 'image-folder', name: 'image-folder', path: 'data' }],
      protocols: [
        { kind: 'knn', name: 'knn', k: [10, 20], temperature: 0.07 },
        { kind: 'linear', name: 'linear', learningRates: [0.001], epochs: 10 },
      ],
    } satisfies RunConfig);
  });

  it('takes the engine-owned batchSize and device on every backbone entry, even one whose plugin lists neither', () => {
    const text = minimal.replace('"model": "models/dinov2-small.onnx" }', '"model": "models/dinov2-small.onnx", "batchSize": 4, "device": "cpu" }');
    const config = validateConfigText(text, 'radprobe.json', registry, noEnv);
    expect(config.backbones[0]).toEqual({ kind: 'onnx', name: 'dinov2-small', model: 'models/dinov2-small.onnx', batchSize: 4, device: 'cpu' });
    expect(errorOf(text.replace('"batchSize": 4', '"batchSize": 0')).message).toContain('/backbones/0/batchSize: must be >= 1');
    expect(errorOf(text.replace('"device": "cpu"', '"device": "tpu"')).message).toContain('/backbones/0/device');
  });

  it('bounds decodeLimits: positive, at most the largest image and buffer radprobe can hold', () => {
    const limits = (value: unknown) => minimal.replace('"seed": 3,', `"seed": 3, "decodeLimits": ${JSON.stringify(value)},`);
    expect(validateConfigText(limits({ maxMegapixels: 1000 }), 'radprobe.json', registry, noEnv).decodeLimits).toEqual({ maxMegapixels: 1000, maxDecodedMiB: 2048 });
    expect(errorOf(limits({ maxMegapixels: 5000 })).message).toMatch(/\/decodeLimits\/maxMegapixels: must be <= 2000/);
    expect(errorOf(limits({ maxDecodedMiB: 0 })).message).toMatch(/\/decodeLimits\/maxDecodedMiB: must be > 0/);
  });

  it('takes the model store from RADPROBE_MODEL_STORE unless the config sets one', () => {
    expect(validateConfigText(minimal, 'radprobe.json', registry, { RADPROBE_MODEL_STORE: '/models' }).modelStore).toBe('/models');
    const explicit = minimal.replace('"seed": 3,', '"seed": 3, "modelStore": "~/store",');
    expect(validateConfigText(explicit, 'radprobe.json', registry, { RADPROBE_MODEL_STORE: '/models' }).modelStore).toBe(join(homedir(), 'store'));
  });

  it('accepts a preprocessing object and rejects a misspelt preset', () => {
    const custom = minimal.replace('"seed": 3,', '"seed": 3, "preprocessing": { "preset": "upstream", "centerCrop": null, "normalize": "backbone" },');
    expect(validateConfigText(custom, 'radprobe.json', registry, noEnv).preprocessing).toEqual({ preset: 'upstream', centerCrop: null, normalize: 'backbone' });
    // Line 2 is `  "seed": 3, "preprocessing": "studdy",`: the value follows 30 characters → column 31.
    const misspelt = minimal.replace('"seed": 3,', '"seed": 3, "preprocessing": "studdy",');
    expect(errorOf(misspelt).message).toBe(
      `radprobe.json:2:31 /preprocessing: must be one of "study", "study-knn", "upstream"; did you mean 'study'?`,
    );
  });

  it('names file, line and column of JSON syntax errors, comments included', () => {
    expect(errorOf('{\n  "seed": 1\n  "name": "x"\n}').message).toBe("radprobe.json:3:3: JSON syntax error: ',' expected");
    expect(errorOf('{\n  // a comment\n  "seed": 1\n}').message).toBe('radprobe.json:2:3: JSON syntax error: comments are not allowed in JSON');
  });

  it('reports every error of a file together, with pointers, lines and suggestions', () => {
    const text = [
      '{',
      '  "batchsize": 8,',
      '  "onBadItem": "skipp",',
      '  "backbones": [{ "kind": "onnx", "model": "m.onnx" }],',
      '  "datasets": [{ "kind": "image-folder", "path": "d", "pth": "x" }],',
      '  "protocols": [',
      '    { "kind": "knn", "k": [10, "20"] },',
      '    { "kind": "knnn" }',
      '  ]',
      '}',
    ].join('\n');
    const error = errorOf(text);
    // Columns counted by hand: line 3 value after `  "onBadItem": ` (15 characters) → 16; line 5 `"pth"` after
    // `  "datasets": [{ "kind": "image-folder", "path": "d", ` (54 characters) → 55; line 7 `"20"` after
    // `    { "kind": "knn", "k": [10, ` (31 characters) → 32; line 8 `"knnn"` after `    { "kind": ` → 15.
    expect(error.message).toBe(
      [
        'radprobe.json: 5 errors',
        "radprobe.json:2:3 /batchsize: unknown key 'batchsize'; did you mean 'batchSize'?",
        `radprobe.json:3:16 /onBadItem: must be one of "fail", "skip"; did you mean 'skip'?`,
        "radprobe.json:5:55 /datasets/0/pth: unknown key 'pth'; did you mean 'path'?",
        'radprobe.json:7:32 /protocols/0/k/1: must be integer',
        `radprobe.json:8:15 /protocols/1/kind: unknown protocol kind 'knnn' (installed: knn, linear); did you mean 'knn'? If 'knnn' comes from a plugin, install it (npm i <package>) or list it in "plugins".`,
      ].join('\n'),
    );
    expect(error.issues.map((issue) => [issue.line, issue.column, issue.pointer])).toEqual([
      [2, 3, '/batchsize'],
      [3, 16, '/onBadItem'],
      [5, 55, '/datasets/0/pth'],
      [7, 32, '/protocols/0/k/1'],
      [8, 15, '/protocols/1/kind'],
    ]);
    expect(error).toBeInstanceOf(RadprobeError);
    expect(error.file).toBe('radprobe.json');
    expect(error.pointer).toBe('/batchsize');
  });

  it('refuses numbers beyond the schema\'s bounds, e.g. a billion bootstrap resamples that would exhaust memory', () => {
    const text = minimal.replace('"seed": 3,', '"seed": 3, "bootstrap": { "samples": 1e9 }, "batchSize": 100000,');
    const messages = errorOf(text).issues.map((issue) => `${issue.pointer}: ${issue.message}`);
    expect(messages).toEqual(['/bootstrap/samples: must be <= 100000', '/batchSize: must be <= 1024']);
  });

  it('says which package to install for a first-party kind', () => {
    const text = minimal.replace('{ "kind": "linear" }', '{ "kind": "fewshot" }');
    // Line 5 is `  "protocols": [{ "kind": "knn" }, { "kind": "fewshot" }]`: the second object opens at column 36 and
    // `"fewshot"` follows 10 more characters → column 46.
    expect(errorOf(text).message).toBe(
      "radprobe.json:5:46 /protocols/1/kind: unknown protocol kind 'fewshot' (installed: knn, linear). 'fewshot' comes from @radprobe/protocol-fewshot, which is not installed: npm i @radprobe/protocol-fewshot",
    );
  });

  it('names an installed plugin that declares the kind but failed to load, with its error', () => {
    const broken = fakeRegistry();
    broken.failures.push({ packageName: 'radprobe-gpu-probe', version: '0.3.0', manifest: { protocols: ['gpu-probe'] }, reason: 'plugin radprobe-gpu-probe: cannot import index.js: libcuda.so.1 missing' });
    const text = minimal.replace('{ "kind": "linear" }', '{ "kind": "gpu-probe" }');
    expect(() => validateConfigText(text, 'radprobe.json', broken, noEnv)).toThrow(
      "radprobe.json:5:46 /protocols/1/kind: unknown protocol kind 'gpu-probe' (installed: knn, linear). 'gpu-probe' comes from radprobe-gpu-probe@0.3.0, which is installed but failed to load: plugin radprobe-gpu-probe: cannot import index.js: libcuda.so.1 missing",
    );
  });

  it('says when no kind of a list is installed', () => {
    const bare = fakeRegistry();
    bare.datasets.clear();
    // Line 4 is `  "datasets": [{ "kind": "image-folder", "path": "data" }],`: `"image-folder"` follows 25 characters.
    expect(() => validateConfigText(minimal, 'radprobe.json', bare, noEnv)).toThrow(
      "radprobe.json:4:26 /datasets/0/kind: unknown dataset kind 'image-folder' (installed: none). 'image-folder' comes from @radprobe/datasets, which is not installed: npm i @radprobe/datasets",
    );
  });

  it('lists the allowed keys when an unknown key is not close to any', () => {
    const text = minimal.replace('{ "kind": "knn" }', '{ "kind": "knn", "zzz": 1 }');
    // `"zzz"` follows `  "protocols": [{ "kind": "knn", ` (33 characters) → column 34.
    expect(errorOf(text).message).toBe(
      "radprobe.json:5:34 /protocols/0/zzz: unknown key 'zzz' (allowed: k, temperature, kind, name)",
    );
  });

  it('reports missing keys, empty lists, duplicate keys and duplicate names with their pointers', () => {
    const text = [
      '{',
      '  "seed": 1,',
      '  "seed": 2,',
      '  "backbones": [',
      '    { "kind": "onnx", "model": "a/dinov2.onnx" },',
      '    { "kind": "onnx", "model": "b/dinov2.onnx" },',
      '    { "model": "c.onnx" }',
      '  ],',
      '  "datasets": [{ "kind": "image-folder", "path": "d", "name": "x" }, { "kind": "image-folder", "path": "e", "name": "x" }],',
      '  "protocols": []',
      '}',
    ].join('\n');
    // Line 9: `  "datasets": [` is 15 characters, each `{ "kind": "image-folder", "path": "d", "name": "x" }` 52, then
    // `, ` 2: the second object opens at column 70 and its `"x"` follows 47 more characters → column 117.
    expect(errorOf(text).message).toBe(
      [
        'radprobe.json: 5 errors',
        "radprobe.json:3:3 /seed: duplicate key 'seed'",
        `radprobe.json:6:5 /backbones/1: duplicate backbone name 'dinov2' (also /backbones/0); give each entry a distinct "name"`,
        "radprobe.json:7:5 /backbones/2: missing required key 'kind'",
        `radprobe.json:9:117 /datasets/1/name: duplicate dataset name 'x' (also /datasets/0); give each entry a distinct "name"`,
        'radprobe.json:10:16 /protocols: must NOT have fewer than 1 items',
      ].join('\n'),
    );
  });

  it('validates options through hoisted $defs', () => {
    const text = minimal.replace('{ "kind": "linear" }', '{ "kind": "linear", "learningRates": [0] }');
    // The second object opens at column 36 (see the test above) and `0` follows `{ "kind": "linear", "learningRates": [`
    // (38 characters) → column 74.
    expect(errorOf(text).message).toBe('radprobe.json:5:74 /protocols/1/learningRates/0: must be > 0');
  });

  it('rejects a file that is not an object', () => {
    expect(errorOf('[1]').message).toBe('radprobe.json:1:1 (root): must be object');
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('config');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the config, its folder and its text', async () => {
    const path = join(dir, 'radprobe.json');
    await writeFile(path, minimal);
    const loaded = await loadConfig(path, registry);
    expect(loaded.baseDir).toBe(dir);
    expect(loaded.source).toBe(minimal);
    expect(loaded.config.protocols.map((entry) => entry.name)).toEqual(['knn', 'linear']);
  });

  it('names a file it cannot read', async () => {
    const path = join(dir, 'missing.json');
    await expect(loadConfig(path, registry)).rejects.toThrow(`${path}: cannot read the config (ENOENT)`);
  });
});

describe('composeConfigSchema', () => {
  it('makes kind an enum of installed kinds and applies each kind’s options by if/then', () => {
    const schema = composeConfigSchema(registry) as any;
    const protocolEntry = schema.properties.protocols.items;
    expect(protocolEntry.properties.kind.enum).toEqual(['knn', 'linear']);
    expect(protocolEntry.properties.kind.enumDescriptions).toEqual([
      'kNN (protocol from @radprobe/protocol-knn@1.0.0)',
      'Linear (protocol from @lab/protocol-linear@1.0.0)',
    ]);
    const [knn, linear] = protocolEntry.allOf;
    expect(knn.if).toEqual({ properties: { kind: { const: 'knn' } }, required: ['kind'] });
    expect(knn.then.description).toBe('k-nearest-neighbour classification on CLS features.');
    expect(Object.keys(knn.then.properties)).toEqual(['k', 'temperature', 'kind', 'name']);
    expect(knn.then.additionalProperties).toBe(false);
    // The kind is described once, in the list of kinds (a second description here made the editor's hover repeat it).
    expect(knn.then.properties.kind).toEqual({ const: 'knn' });
    expect(linear.then.$schema).toBeUndefined();
    expect(linear.then.properties.learningRates).toEqual({ $ref: '#/$defs/protocols.linear.rates', default: [0.001] });
    expect(schema.$defs['protocols.linear.rates'].description).toBe('Learning rates tried.');
    expect(schema.properties.backbones.items.properties.kind.enum).toEqual(['onnx']);
    expect(schema.properties.seed.description).toMatch(/Seed/);
  });

  it('refuses options schemas whose $ref cannot be embedded, naming the plugin', () => {
    const odd = fakeRegistry();
    odd.protocols.get('knn')!.protocol.optionsSchema = { type: 'object', properties: { k: { $ref: '#/properties/other' } } };
    expect(() => composeConfigSchema(odd)).toThrow(
      "options schema of protocol kind 'knn' (@radprobe/protocol-knn): $ref '#/properties/other' is not supported; only '#/$defs/<name>' and '#/definitions/<name>' can be embedded in the config schema",
    );
  });

  it('gives every core property a description', () => {
    for (const [key, property] of Object.entries((coreConfigSchema as any).properties)) {
      expect(typeof (property as any).description, key).toBe('string');
    }
  });

  it('writes the schema to a file', async () => {
    const dir = await makeTempDir('schema');
    const path = join(dir, 'radprobe.schema.json');
    await writeConfigSchema(path, registry);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(composeConfigSchema(registry));
    await rm(dir, { recursive: true, force: true });
  });
});

describe('configHash', () => {
  const config = validateConfigText(minimal, 'radprobe.json', registry, noEnv);

  it('ignores $schema and key order, and changes with anything a run uses', () => {
    const reordered = Object.fromEntries(Object.entries(config).reverse()) as unknown as RunConfig;
    expect(configHash({ ...config, $schema: './radprobe.schema.json' })).toBe(configHash(config));
    expect(configHash(reordered)).toBe(configHash(config));
    expect(configHash({ ...config, seed: 4 })).not.toBe(configHash(config));
    expect(configHash(config)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('did you mean', () => {
  it('counts edits with adjacent transpositions as one', () => {
    // kitten → sitting: substitute k→s, e→i, insert g = 3; "ab" → "ba" is one transposition.
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('knn', 'knn')).toBe(0);
  });

  it('suggests only close candidates', () => {
    expect(closestMatch('batchsize', ['seed', 'batchSize'])).toBe('batchSize');
    expect(closestMatch('lienar', ['knn', 'linear'])).toBe('linear');
    expect(closestMatch('zzz', ['knn', 'linear'])).toBeNull();
    // "k" vs "kk": 1 edit, allowed for short words (at least one edit is always tolerated).
    expect(closestMatch('kk', ['k', 'temperature'])).toBe('k');
  });
});
