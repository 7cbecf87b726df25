import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { RadprobeError, errorMessage, type JsonSchema } from '@radprobe/core';

/**
 * A manifest beside an ONNX file that says what its graph cannot: which outputs are which tokens of which blocks,
 * the patch size, register count, input size, normalisation and depth. Every field is optional; what is absent
 * is inferred from the graph and `config.json`.
 */
export interface OnnxManifest {
  outputs?: { cls: string[]; patch: string[] } | { tokens: string[] };
  /** 0-based indices of the blocks the outputs belong to (one per output pair or per tokens output), ascending. */
  blocks?: number[];
  /** Number of transformer blocks of the whole network. */
  depth?: number;
  /** Attention heads per block, for training the network when neither config.json nor the graph tells. */
  heads?: number;
  patchSize?: number;
  /** Register tokens between CLS and the patch tokens in a `tokens` output. */
  registerTokens?: number;
  inputSize?: { height: number; width: number };
  normalization?: { mean: [number, number, number]; std: [number, number, number] };
}

const outputNames = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 };
const channelTriple = { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 };
const positiveInteger = { type: 'integer', minimum: 1 };

/** JSON Schema (draft-07) of the manifest. */
export const onnxManifestSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'radprobe ONNX backbone manifest',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    outputs: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['cls', 'patch'],
          properties: { cls: outputNames, patch: outputNames },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['tokens'],
          properties: { tokens: outputNames },
        },
      ],
    },
    blocks: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 },
    depth: positiveInteger,
    heads: positiveInteger,
    patchSize: positiveInteger,
    registerTokens: { type: 'integer', minimum: 0 },
    inputSize: {
      type: 'object',
      additionalProperties: false,
      required: ['height', 'width'],
      properties: { height: positiveInteger, width: positiveInteger },
    },
    normalization: {
      type: 'object',
      additionalProperties: false,
      required: ['mean', 'std'],
      properties: { mean: channelTriple, std: { ...channelTriple, items: { type: 'number', exclusiveMinimum: 0 } } },
    },
  },
};

const validateManifest = new Ajv({ allErrors: true, strict: false }).compile<OnnxManifest>(onnxManifestSchema);

function describeSchemaError(error: ErrorObject): string {
  const pointer = error.instancePath === '' ? '/' : error.instancePath;
  if (error.keyword === 'additionalProperties') {
    return `${pointer}: unknown field "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  }
  return `${pointer}: ${error.message ?? error.keyword}`;
}

/** Checks a parsed manifest against the schema and its cross-field rules; errors name the file and JSON pointer. */
export function checkOnnxManifest(value: unknown, file: string): OnnxManifest {
  if (!validateManifest(value)) {
    const errors = validateManifest.errors ?? [];
    // `oneOf` reports every branch's failure; the branch-specific messages say more than "must match one schema".
    const specific = errors.filter((error) => error.keyword !== 'oneOf');
    const reported = (specific.length > 0 ? specific : errors).map(describeSchemaError);
    throw new RadprobeError(`Invalid ONNX manifest ${file}: ${[...new Set(reported)].join('; ')}`, {
      file,
      pointer: errors[0]?.instancePath || '/',
    });
  }
  const manifest = value;
  const outputCount = manifest.outputs
    ? 'tokens' in manifest.outputs
      ? manifest.outputs.tokens.length
      : manifest.outputs.cls.length
    : undefined;
  if (manifest.outputs && !('tokens' in manifest.outputs) && manifest.outputs.cls.length !== manifest.outputs.patch.length) {
    throw new RadprobeError(
      `Invalid ONNX manifest ${file}: /outputs/patch names ${manifest.outputs.patch.length} outputs but /outputs/cls ` +
        `names ${manifest.outputs.cls.length}; they pair up block by block`,
      { file, pointer: '/outputs/patch' },
    );
  }
  if (manifest.blocks) {
    if (outputCount !== undefined && manifest.blocks.length !== outputCount) {
      throw new RadprobeError(
        `Invalid ONNX manifest ${file}: /blocks lists ${manifest.blocks.length} blocks but /outputs names ${outputCount} per kind`,
        { file, pointer: '/blocks' },
      );
    }
    for (let i = 1; i < manifest.blocks.length; i++) {
      if (manifest.blocks[i] <= manifest.blocks[i - 1]) {
        throw new RadprobeError(`Invalid ONNX manifest ${file}: /blocks must be strictly ascending`, {
          file,
          pointer: `/blocks/${i}`,
        });
      }
    }
    const last = manifest.blocks[manifest.blocks.length - 1];
    if (manifest.depth !== undefined && last >= manifest.depth) {
      throw new RadprobeError(
        `Invalid ONNX manifest ${file}: block ${last} does not exist in a network of depth ${manifest.depth}`,
        { file, pointer: `/blocks/${manifest.blocks.length - 1}` },
      );
    }
  }
  return manifest;
}

/** Reads and validates a manifest file. */
export async function readOnnxManifest(file: string): Promise<OnnxManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RadprobeError(`Cannot read ONNX manifest ${file}: ${errorMessage(error)}`, { file, cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RadprobeError(`ONNX manifest ${file} is not valid JSON: ${errorMessage(error)}`, { file, cause: error });
  }
  return checkOnnxManifest(parsed, file);
}

/** The manifest names radprobe reads beside `model.onnx`: `model.onnx.radprobe.json`, then `radprobe.json`. */
export function manifestNames(modelPath: string): { own: string; folder: string } {
  return { own: `${modelPath}.radprobe.json`, folder: join(dirname(modelPath), 'radprobe.json') };
}

/**
 * The entry's manifest: its `manifest` option (relative to the config's folder), else `<model>.radprobe.json`, else
 * `radprobe.json` beside the model unless that is a run config.
 */
export async function findManifest(modelPath: string, manifestOption: string | undefined, baseDir: string): Promise<{ manifest?: OnnxManifest; file?: string }> {
  if (manifestOption) {
    const file = resolve(baseDir, manifestOption);
    return { manifest: await readOnnxManifest(file), file };
  }
  const { own, folder } = manifestNames(modelPath);
  if (existsSync(own)) return { manifest: await readOnnxManifest(own), file: own };
  if (existsSync(folder) && !(await isRunConfig(folder))) return { manifest: await readOnnxManifest(folder), file: folder };
  return {};
}

/**
 * `radprobe.json` is also the default name of a run config, which often sits beside the model; a config always
 * has `backbones` and a manifest never does (its schema admits no such field), so this tells them apart.
 */
async function isRunConfig(file: string): Promise<boolean> {
  return /"backbones"\s*:/.test(await readFile(file, 'utf8'));
}

/** Names a manifest of `model.onnx` is easily given instead: `model.radprobe.json`, `model.onnx.json`, `model.json`. */
function nearMissNames(modelPath: string): string[] {
  const directory = dirname(modelPath);
  const stem = basename(modelPath).replace(/\.onnx$/i, '');
  const read = Object.values(manifestNames(modelPath));
  const names = [join(directory, `${stem}.radprobe.json`), `${modelPath}.json`, join(directory, `${stem}.json`)];
  return [...new Set(names)].filter((name) => !read.includes(name) && name !== modelPath);
}

const MANIFEST_FIELDS = Object.keys(onnxManifestSchema.properties as Record<string, unknown>).filter((field) => field !== '$schema');

/**
 * JSON files beside the model that look like its manifest (an object with a manifest field and no run config's
 * `backbones`) under a name radprobe does not read.
 */
export async function misnamedManifests(modelPath: string): Promise<string[]> {
  const found: string[] = [];
  for (const file of nearMissNames(modelPath)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) continue;
    const fields = Object.keys(parsed);
    if (!fields.includes('backbones') && MANIFEST_FIELDS.some((field) => fields.includes(field))) found.push(file);
  }
  return found;
}
