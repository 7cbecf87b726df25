export { RadprobeError, SourceUnavailableError, errorMessage } from './errors.js';
export { writeFileAtomic, atomicTemporaryTarget } from './atomic.js';
export { printablePath } from './printable-path.js';
export { sha256, sha256File, canonicalJson } from './hash.js';
export { Random } from './random.js';
export { SPLITS } from './splits.js';
export { mapConcurrent } from './concurrency.js';
export { isFileSystemError } from './path-problems.js';
