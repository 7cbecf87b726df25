import type { BackboneFactory, DatasetFactory, JsonSchema, Protocol } from '../src/index.js';
import type { PluginRegistry } from '../src/engine/index.js';

function fakeProtocol(kind: string, title: string, optionsSchema: JsonSchema): Protocol {
  return {
    kind,
    title,
    optionsSchema,
    tasks: ['multiclass'],
    featureNeeds: () => ({ clsBlocks: 1, patchMean: false, patchBlocks: 0 }),
    run: async () => Promise.reject(new Error('not run in config tests')),
  };
}

function fakeFactory(kind: string, optionsSchema: JsonSchema): BackboneFactory & DatasetFactory {
  return { kind, optionsSchema, create: async () => Promise.reject(new Error('not created in config tests')) };
}

/** A registry as two protocol plugins, a backbone plugin and a dataset plugin would make it. */
export function fakeRegistry(): PluginRegistry {
  const source = (kind: string, packageName: string) => ({ kind, packageName, version: '1.0.0', builtin: false, location: null });
  const knn = fakeProtocol('knn', 'kNN', {
    type: 'object',
    description: 'k-nearest-neighbour classification on CLS features.',
    properties: {
      k: { type: 'array', items: { type: 'integer', minimum: 1 }, default: [10, 20], description: 'Neighbour counts.' },
      temperature: { type: 'number', default: 0.07, description: 'Softmax temperature.' },
    },
  });
  const linear = fakeProtocol('linear', 'Linear', {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { learningRates: { $ref: '#/$defs/rates', default: [0.001] }, epochs: { type: 'integer', default: 10 } },
    $defs: { rates: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, description: 'Learning rates tried.' } },
  });
  return {
    protocols: new Map([
      ['knn', { ...source('knn', '@radprobe/protocol-knn'), protocol: knn }],
      ['linear', { ...source('linear', '@lab/protocol-linear'), protocol: linear }],
    ]),
    backbones: new Map([
      [
        'onnx',
        {
          ...source('onnx', '@radprobe/backbone-onnx'),
          factory: fakeFactory('onnx', {
            type: 'object',
            required: ['model'],
            properties: { model: { type: 'string', description: 'Model file or store name.' } },
          }),
        },
      ],
    ]),
    datasets: new Map([
      [
        'image-folder',
        {
          ...source('image-folder', '@radprobe/datasets'),
          factory: fakeFactory('image-folder', { type: 'object', required: ['path'], properties: { path: { type: 'string' } } }),
        },
      ],
    ]),
    warnings: [],
    failures: [],
  };
}
