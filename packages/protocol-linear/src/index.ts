import { definePlugin } from '@radprobe/core';
import { linearProtocol } from './protocol.js';

export { linearProtocol } from './protocol.js';
export { linearOptionsSchema, resolveLinearOptions, finalTrainingSplits, LOGREG_C } from './options.js';
export type { LinearOptions, ResolvedLinearOptions, InputSetting, FinalTraining } from './options.js';
export { trainHeadGrid, headGridGradientModel } from './head-grid.js';
export type { HeadGridPayload } from './head-grid.js';
export type { HeadSpec, TrainedGrid } from './head-grid.js';
export { fitLogistic, fitLogisticPath, logisticLogits } from './logreg.js';
export type { LogisticModel, LogisticProblem } from './logreg.js';
export { minimizeNewtonCg } from './newton-cg.js';
export type { CurvedPoint, NewtonOptions, NewtonResult, SecondOrderObjective } from './newton-cg.js';
export { buildSamples, readInputTable, inputColumns } from './samples.js';
export type { InputTable, Samples } from './samples.js';

const plugin = definePlugin({ protocols: [linearProtocol] });
export default plugin;
