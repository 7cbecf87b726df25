import type { BackboneInfo } from '../src/index.js';

/** A backbone's info for engine tests: a 28×28 input of 14-pixel patches, one block, no patch tokens, unless `changes` say otherwise. */
export function testBackboneInfo(changes: Partial<BackboneInfo>): BackboneInfo {
  return {
    description: 'test backbone',
    patchSize: 14,
    embedDim: 1,
    totalBlocks: 1,
    exposedBlocks: [0],
    registerTokens: 0,
    inputSize: { height: 28, width: 28 },
    dynamicInputSize: false,
    hasPatchTokens: false,
    normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    weightsHash: '0'.repeat(64),
    executionProvider: 'test',
    ...changes,
  };
}
