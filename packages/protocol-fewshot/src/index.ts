import { definePlugin } from '@radprobe/core';
import { fewshotProtocol } from './protocol.js';

export { fewshotProtocol } from './protocol.js';
export { fewshotOptionsSchema, resolveFewshotOptions, DEFAULT_SHOTS, SHOT_UNITS, WRAPPABLE_KINDS } from './options.js';
export type { FewshotOptions, ResolvedFewshotOptions, Shots, ShotUnit, WrappableKind } from './options.js';
export { imageSubset, patientSubset, perClassSubset } from './subsets.js';
export type { ShotSubset } from './subsets.js';
export { innerProtocol } from './inner-protocol.js';
export type { InnerProtocol, ValUse } from './inner-protocol.js';

const plugin = definePlugin({ protocols: [fewshotProtocol] });
export default plugin;
