import { describe, expect, it } from 'vitest';
import { RadprobeError, validateOptions } from '../src/index.js';

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { const: 'linear' },
    epochs: { type: 'integer', minimum: 1, default: 10 },
    rates: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 } },
  },
};

describe('validateOptions', () => {
  it('fills defaults into a copy and leaves the input alone', () => {
    const given = { kind: 'linear' };
    expect(validateOptions(schema, given, 'few-shot protocol', '/protocol')).toEqual({ kind: 'linear', epochs: 10 });
    expect(given).toEqual({ kind: 'linear' });
  });

  it('names the JSON pointer of a bad value and of an unknown key', () => {
    const bad = () => validateOptions(schema, { kind: 'linear', rates: [0.1, -1] }, 'few-shot protocol', '/protocol');
    expect(bad).toThrow(RadprobeError);
    expect(bad).toThrow('few-shot protocol at /protocol/rates/1: must be > 0');
    try {
      validateOptions(schema, { kind: 'linear', epoch: 3 }, 'few-shot protocol', '/protocol');
      expect.unreachable();
    } catch (error) {
      expect((error as RadprobeError).message).toBe("few-shot protocol at /protocol/epoch: unknown key 'epoch'");
      expect((error as RadprobeError).pointer).toBe('/protocol/epoch');
    }
  });
});
