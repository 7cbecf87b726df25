export { renderReport } from './render-report.js';
export { writeReport, reportFileName } from './write-report.js';
export { readArtifactImages, embeddedArtifacts, IMAGES_PER_CELL, MAX_IMAGE_BYTES } from './artifact-images.js';
export type { ArtifactImage, ArtifactImages } from './artifact-images.js';
