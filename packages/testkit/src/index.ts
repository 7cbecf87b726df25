/**
 * @radprobe/testkit: test fixtures. The synthetic models and datasets come from @radprobe/synthetic (re-exported, so
 * a test imports every fixture from one place); what only tests need lives here: an in-memory protocol context, a
 * fake model hub, hostile files, Debian's MRIcron data, the torch.onnx.export fixtures and an Orthanc server.
 */
export * from '@radprobe/synthetic';
export { FakeHub, type FakeHubOptions } from './fake-hub.js';
export { memoryProtocolContext, type MemoryContextOptions, type PerItemPerBlock } from './memory-context.js';
export { fetchMricronData } from './debian-data.js';
export { pngAround, zeroDeflateStream } from './hostile-files.js';
export { readTorchFixture, TORCH_FIXTURES_DIR, TORCH_FIXTURE_NAMES, type FixtureTensor, type TorchFixture, type TorchFixtureName } from './torch-fixtures.js';
export { startOrthanc, type OrthancServer } from './orthanc.js';
