/**
 * @radprobe/synthetic: small ViTs with DINOv2's exact architecture, written as ONNX files from seeded weights (with an
 * independent JavaScript forward of the same weights), and synthetic radiology-like datasets (chest images in class
 * folders, an NIH ChestX-ray14-style set, a Montgomery-style lung segmentation set). Nothing is downloaded: the
 * `radprobe demo` runs and the tests build everything from a seed.
 */
export { buildDinov2Onnx } from './dinov2-onnx.js';
export { dinov2Reference } from './dinov2-reference.js';
export type { Dinov2Features } from './dinov2-reference.js';
export { writeDinov2Fixture } from './dinov2-fixture.js';
export { resolveVitSpec } from './vit-spec.js';
export { generateVitWeights } from './vit-weights.js';
export type { VitWeights as GeneratedVitWeights, VitBlockWeights as GeneratedVitBlockWeights } from './vit-weights.js';
export { canonicalVitParameters } from './vit-parameters.js';
export type { VitSpec, ResolvedVitSpec } from './vit-spec.js';
export { writeImageFolderDataset, DEFAULT_IMAGE_FOLDER_CLASSES } from './image-folder-dataset.js';
export type { ImageFolderDatasetOptions } from './image-folder-dataset.js';
export { writeNihDataset, NIH_CSV_HEADER } from './nih-dataset.js';
export { writeSyntheticMontgomery } from './lung-segmentation-set.js';
export type { NihDatasetOptions } from './nih-dataset.js';
export { NIH_FINDINGS } from './chest-image.js';
export type { NihFinding } from './chest-image.js';
export { encodeGrayPng } from './gray-png.js';
