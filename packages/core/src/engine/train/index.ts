export { trainWithSgd, trainingBackend } from './train-loop.js';
export type { TrainableModel, TrainingOptions, TrainingSummary } from './train-loop.js';
export { SgdMomentum } from './sgd.js';
export type { ParameterGroup } from './sgd.js';
export { cosineFactor } from './schedule.js';
export { epochBatches, batchesPerEpoch } from './batches.js';
export { bceWithLogitsLoss, crossEntropyLoss } from './losses.js';
export { ensureGradients, DIFFERENTIABLE_KERNELS } from './gradients.js';
