import { availableParallelism } from 'node:os';
import { mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// Nx runs this package's tests alone (its test target has "parallelism": false): a test file per core. Most of
// their time is CLI child processes, each mostly on one core.
export default mergeConfig(sharedTestConfig, { test: { maxWorkers: availableParallelism() } });
