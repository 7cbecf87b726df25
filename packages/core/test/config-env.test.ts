import { describe, expect, it } from 'vitest';
import { ConfigError, configHash, validateConfigText } from '../src/engine/index.js';
import { substituteEnvVariables } from '../src/engine/config/env-variables.js';
import { fakeRegistry } from './fake-registry.js';

const registry = fakeRegistry();

// Line 2 of this text: two spaces, `"backbones":` (12), a space, `[{ ` (3), `"kind": "onnx", ` (16) and `"model": `
// (9) make 42 characters, so the model string opens at column 44 (1-based, after the space at 43).
const preset = `{
  "backbones": [{ "kind": "onnx", "model": "\${env:MODELS}/small.onnx" }],
  "datasets": [{ "kind": "image-folder", "path": "\${env:DATA_ROOT:-data}/cxr" }],
  "protocols": [{ "kind": "knn" }]
}`;

function errorOf(text: string, file: string, env: NodeJS.ProcessEnv): ConfigError {
  try {
    validateConfigText(text, file, registry, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('environment variables in config strings', () => {
  it('substitutes ${env:NAME} and falls back to the default of ${env:NAME:-default}', () => {
    const config = validateConfigText(preset, 'study.json', registry, { MODELS: '/models' });
    expect(config.backbones[0].model).toBe('/models/small.onnx');
    expect(config.datasets[0].path).toBe('data/cxr');
    // The backbone's name comes from the substituted file name, as if the path had been written out.
    expect(config.backbones[0].name).toBe('small');
  });

  it('uses a set variable over the default, and the default for an empty one (the shell meaning of :-)', () => {
    expect(validateConfigText(preset, 'study.json', registry, { MODELS: '/m', DATA_ROOT: '/d' }).datasets[0].path).toBe('/d/cxr');
    expect(validateConfigText(preset, 'study.json', registry, { MODELS: '/m', DATA_ROOT: '' }).datasets[0].path).toBe('data/cxr');
  });

  it('names the file, line, column, pointer and variable when a variable without default is unset', () => {
    const error = errorOf(preset, 'study.json', {});
    expect(error.message).toBe(
      "study.json:2:44 /backbones/0/model: environment variable MODELS is not set (used as '${env:MODELS}'; write ${env:MODELS:-default} for a fallback)",
    );
    expect(error.issues[0]).toMatchObject({ file: 'study.json', line: 2, column: 44, pointer: '/backbones/0/model' });
  });

  it('rejects a malformed reference and leaves other ${…} text alone', () => {
    const malformed = preset.replace('${env:MODELS}', '${env:1MODELS}');
    expect(errorOf(malformed, 'study.json', {}).message).toBe(
      "study.json:2:44 /backbones/0/model: malformed variable reference '${env:1MODELS}': expected ${env:NAME} or ${env:NAME:-default}, NAME of letters, digits and '_'",
    );
    const other = preset.replace('${env:MODELS}', '${HOME}');
    expect(validateConfigText(other, 'study.json', registry, {}).backbones[0].model).toBe('${HOME}/small.onnx');
  });

  it('substitutes every reference of a string, inside arrays, and never in keys or non-string values', () => {
    const { value, issues } = substituteEnvVariables(
      { 'a/${env:X}': ['${env:X}-${env:Y:-y}-${env:X}', 3, true, null], nested: { path: '${env:Y:-}' } },
      { X: 'x' },
    );
    expect(issues).toEqual([]);
    expect(value).toEqual({ 'a/${env:X}': ['x-y-x', 3, true, null], nested: { path: '' } });
    // A key holding '/' is escaped as '~1' in the pointer, so the issue points at the right value.
    expect(substituteEnvVariables({ 'a/b': ['${env:MISSING}'] }, {}).issues.map((issue) => issue.pointer)).toEqual(['/a~1b/0']);
  });

  it('hashes the substituted config: the same preset with other variables is another run', () => {
    const first = validateConfigText(preset, 'study.json', registry, { MODELS: '/a' });
    const second = validateConfigText(preset, 'study.json', registry, { MODELS: '/b' });
    expect(configHash(first)).not.toBe(configHash(second));
    expect(configHash(first)).toBe(configHash(validateConfigText(preset, 'study.json', registry, { MODELS: '/a' })));
  });
});

describe('comments in .jsonc configs', () => {
  const commented = `{
  // the study's backbones
  "backbones": [{ "kind": "onnx", "model": "m.onnx" /* ViT-S/14 */ }],
  "datasets": [{ "kind": "image-folder", "path": "data" }],
  "protocols": [{ "kind": "knn" }]
}`;

  it('are allowed in a .jsonc file, and positions still count them', () => {
    expect(validateConfigText(commented, 'knn.jsonc', registry, {}).backbones[0].model).toBe('m.onnx');
    const bad = commented.replace('"kind": "knn"', '"kind": "knn", "k": [0]');
    // Line 5: two spaces, `"protocols": ` (13), `[{ ` (3), `"kind": "knn", ` (15) and `"k": [` (6) are 39
    // characters, so the 0 is at column 40.
    expect(errorOf(bad, 'knn.jsonc', {}).message).toBe('knn.jsonc:5:40 /protocols/0/k/0: must be >= 1');
  });

  it('stay a syntax error in a .json file', () => {
    // One error per comment: the line comment opens line 2 at column 3; the block comment follows
    // `  "backbones": [{ "kind": "onnx", "model": "m.onnx" ` (52 characters) on line 3.
    expect(errorOf(commented, 'radprobe.json', {}).issues.map((issue) => `${issue.line}:${issue.column} ${issue.message}`)).toEqual([
      '2:3 JSON syntax error: comments are not allowed in JSON',
      '3:53 JSON syntax error: comments are not allowed in JSON',
    ]);
  });
});
