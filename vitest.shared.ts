import { defineConfig } from 'vitest/config';
import { chartLibraryDefine, coreVersionDefine } from './build-constants.ts';

// Workspace packages resolve to their TypeScript sources under the "source" export condition,
// so a package's tests never wait for (or run against a stale) build of its dependencies.
export const sharedTestConfig = defineConfig({
  define: { ...chartLibraryDefine(), ...coreVersionDefine() },
  resolve: { conditions: ['source', 'import', 'node', 'default'] },
  ssr: { resolve: { conditions: ['source', 'import', 'node', 'default'], externalConditions: ['source'] } },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
