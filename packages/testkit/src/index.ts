/**
 * @radprobe/testkit: small ViTs with DINOv2's exact architecture as ONNX files (with an independent JavaScript
 * reference forward) and synthetic radiology-like datasets, for tests, benchmarks and the demo run.
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
export { FakeHub, type FakeHubOptions } from './fake-hub.js';
export { encodeGrayPng } from './gray-png.js';
export { memoryProtocolContext, type MemoryContextOptions, type PerItemPerBlock } from './memory-context.js';
export { fetchMricronData } from './debian-data.js';
export { pngAround, zeroDeflateStream } from './hostile-files.js';
export { readTorchFixture, TORCH_FIXTURES_DIR, TORCH_FIXTURE_NAMES, type FixtureTensor, type TorchFixture, type TorchFixtureName } from './torch-fixtures.js';
export { startOrthanc, type OrthancServer } from './orthanc.js';
