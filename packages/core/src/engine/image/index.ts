export { decodeImage } from './decode.js';
export { decodeLabelImage, type LabelImage } from './label-image.js';
export { checkDeclaredSize, DEFAULT_DECODE_LIMITS, type DeclaredSize } from './decode-limits.js';
export { parseImageHeader, type ImageHeader } from './image-header.js';
export { jpegJsLimits } from './jpeg.js';
export { resolvePreprocessing, preprocessingSteps, PREPROCESSING_PRESETS, type ResolvedPreprocessing } from './preprocessing.js';
export { preprocessInto } from './preprocess.js';
export { labelMapToSource, resampleLabelMap } from './label-map.js';
export { axisWeights, type AxisWeights } from './resample.js';
export {
  applyIntensitySteps, applyPercentileClip, applyWindow, clipOptionSchema, CT_WINDOW_PRESETS, describeIntensitySteps, percentiles, resolveClip,
  resolveWindow, windowFromLevel, windowOptionSchema, type ClipOption, type CtWindowPreset, type IntensitySteps, type IntensityWindow,
  type PercentileClip, type WindowOption,
} from './intensity.js';
