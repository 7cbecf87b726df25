export { buildVit } from './vit-model.js';
export type { VitModel, VitFeatures, ParameterCount } from './vit-model.js';
export { validateAdaptation, trainsBaseParameter, LORA_TARGETS } from './adaptation.js';
export type { VitAdaptation, LoraSettings } from './adaptation.js';
export { bicubicInterpolationMatrix } from './position-interpolation.js';
