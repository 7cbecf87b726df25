import { definePlugin } from '@radprobe/core';
import { segProtocol } from './protocol.js';

export { segProtocol } from './protocol.js';
export { segOptionsSchema, resolveSegOptions, finalTrainingSplits, SEG_LEARNING_RATES, DECODER_BLOCKS } from './options.js';
export type { SegOptions, ResolvedSegOptions, DecoderKind, SegLoss, FinalTraining } from './options.js';
export { linearDecoder, unetDecoder, createDecoder, unetChannels } from './decoders.js';
export { convTranspose2x2 } from './transposed-conv.js';
export { resizeBilinear } from './bilinear-resize.js';
export type { Decoder, DecoderShape } from './decoders.js';
export { segmentationLoss, DICE_SMOOTH } from './dice-loss.js';
export { trainDecoders, decoderGridGradientModel } from './decoder-grid.js';
export type { DecoderGridPayload, DecoderPiece, GridArgs, TrainedDecoders } from './decoder-grid.js';
export { readTokens, readMasks, stackMasks } from './segmentation-data.js';
export type { TokenChunk, MaskTable } from './segmentation-data.js';
export { labelMapsPng, encodeRgbPng, classColour, crc32 } from './label-png.js';

const plugin = definePlugin({ protocols: [segProtocol] });
export default plugin;
