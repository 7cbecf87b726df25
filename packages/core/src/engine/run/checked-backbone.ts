import type { Backbone, BackboneInfo, EmbeddedBatch } from '../../contracts/index.js';
import { RadprobeError } from '../util/errors.js';
import { callPlugin, type EntryPlugin } from './entry-plugin.js';

/** A backbone as a run uses it: every call named after its entry and plugin, every batch checked. */
export interface OpenedBackbone extends Backbone {
  readonly plugin: EntryPlugin;
  /** Hash of the entry's options that can change features: keys the feature cache beside `info.weightsHash`. */
  readonly optionsHash: string;
}

/**
 * Wraps a plugin's backbone so that whatever its code throws names the entry and the package, and every batch
 * `embed` returns is checked against the `BackboneInfo` it declared before any feature is read from it.
 */
export function checkedBackbone(backbone: Backbone, plugin: EntryPlugin, optionsHash: string): OpenedBackbone {
  const { info } = backbone;
  return {
    info,
    plugin,
    optionsHash,
    embed: (pixels, batchSize, height, width) =>
      callPlugin(plugin, async () => {
        const batch = await backbone.embed(pixels, batchSize, height, width);
        checkEmbeddedBatch(batch, info, { batchSize, height, width });
        return batch;
      }),
    dispose: () => callPlugin(plugin, () => backbone.dispose()),
    ...(backbone.trainable ? { trainable: () => callPlugin(plugin, () => backbone.trainable!()) } : {}),
  };
}

/**
 * Checks a batch against the backbone's declared shape and the images it was given, and throws one error saying
 * what was expected and what came back. A wrong shape is the backbone's fault whatever the images: reading such a
 * batch would shift features between items (or read past the end and blame an image for the NaN).
 */
function checkEmbeddedBatch(batch: EmbeddedBatch, info: BackboneInfo, request: { batchSize: number; height: number; width: number }): void {
  const mismatch = (detail: string) => new RadprobeError(`embed returned a batch that does not match its BackboneInfo: ${detail}`);
  const { batchSize } = request;
  const dim = info.embedDim;
  const blocks = info.exposedBlocks.length;
  const perBlock = (name: string, arrays: unknown) => {
    if (!Array.isArray(arrays) || arrays.length !== blocks) {
      const got = Array.isArray(arrays) ? `has ${arrays.length} arrays` : 'is not an array';
      throw mismatch(`${name} ${got}, expected ${blocks} (one per exposed block: exposedBlocks [${info.exposedBlocks.join(', ')}])`);
    }
    arrays.forEach((values, b) => {
      if (!(values instanceof Float32Array)) throw mismatch(`${name}[${b}] is not a Float32Array`);
    });
    return arrays as Float32Array[];
  };

  if (!batch || typeof batch !== 'object') throw mismatch('the batch is not an object');
  if (batch.batchSize !== batchSize) throw mismatch(`batchSize is ${batch.batchSize}, expected ${batchSize} (the images passed to embed)`);
  perBlock('cls', batch.cls).forEach((values, b) => {
    if (values.length !== batchSize * dim) {
      throw mismatch(`cls[${b}] has ${values.length} floats, expected ${batchSize} images × ${dim} (embedDim) = ${batchSize * dim}`);
    }
  });
  if (!info.hasPatchTokens) {
    if (batch.patch != null) throw mismatch('patch is given, but BackboneInfo.hasPatchTokens is false (patch must be null)');
    return;
  }
  if (batch.patch == null) throw mismatch('patch is null, but BackboneInfo.hasPatchTokens is true');
  const rows = request.height / info.patchSize;
  const cols = request.width / info.patchSize;
  if (batch.grid?.rows !== rows || batch.grid?.cols !== cols) {
    const input = `a ${request.height} × ${request.width} input in ${info.patchSize}-pixel patches`;
    throw mismatch(`grid is ${batch.grid?.rows} × ${batch.grid?.cols}, expected ${rows} × ${cols} (${input})`);
  }
  const tokens = rows * cols;
  const expected = batchSize * tokens * dim;
  perBlock('patch', batch.patch).forEach((values, b) => {
    if (values.length === expected) return;
    const registers = info.registerTokens > 0 && values.length === batchSize * (tokens + info.registerTokens) * dim;
    const registersNote = registers ? `; that is ${info.registerTokens} register tokens per image too many: registers must be removed` : '';
    const shape = `${batchSize} images × ${rows} × ${cols} patches × ${dim} (embedDim) = ${expected}`;
    throw mismatch(`patch[${b}] has ${values.length} floats, expected ${shape}${registersNote}`);
  });
}
