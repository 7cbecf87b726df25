import { definePlugin } from '@radprobe/core';
import { radiomicsBackbone } from './backbone.js';

export { radiomicsBackbone, radiomicsInfo, radiomicsOptionsSchema, type RadiomicsOptions } from './backbone.js';
export { describeRegion, descriptorWidth, gradientMagnitude, FIRST_ORDER_FEATURES } from './descriptor.js';

/** The module's default export: what the `radprobe` field of package.json declares, and nothing else. */
export default definePlugin({ backbones: [radiomicsBackbone] });
