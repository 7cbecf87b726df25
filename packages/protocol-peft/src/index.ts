import { definePlugin } from '@radprobe/core';
import { peftProtocol } from './protocol.js';

export { peftProtocol } from './protocol.js';
export { peftOptionsSchema, resolvePeftOptions, finalTrainingSplits } from './options.js';
export type { PeftOptions, ResolvedPeftOptions, AdaptationMode, SaveMode, FinalTraining, Selection, Candidate, FrozenReference, TrainedSetting, LoraOptions, AugmentationOptions, ResolvedAugmentation, ResolvedLora } from './options.js';
export { drawView, applyView } from './augmentation.js';
export type { AugmentedView } from './augmentation.js';
export { encodeSafetensors } from './safetensors.js';
export { PixelLoader } from './pixel-loader.js';
export { trainNetwork, adaptationOf, peftGradientModel } from './training.js';
export type { TrainedNetwork, TrainingArgs, NetworkPayload, NetworkPiece } from './training.js';
export { itemTargets } from './targets.js';
export { savedArtifact } from './saving.js';
export { buildVit } from './vit/index.js';
export type { VitModel, VitAdaptation } from './vit/index.js';
export type { ItemTargets } from './targets.js';

const plugin = definePlugin({ protocols: [peftProtocol] });
export default plugin;
