export { renderReport } from './render-report.js';
export { writeReport, reportFileName } from './write-report.js';
export { readArtifactImages, embeddedArtifacts, IMAGES_PER_CELL, MAX_IMAGE_BYTES } from './artifact-images.js';
export type { ArtifactImage, ArtifactImages } from './artifact-images.js';
export { compareRuns } from './compare/compare-runs.js';
export type { CompareOptions, CompareOutput } from './compare/compare-runs.js';
export { buildComparison } from './compare/comparison.js';
export type { Comparison } from './compare/comparison.js';
export { mergeRuns, PER_RUN_FIELDS, type MergeOutput } from './merge/merge-runs.js';
