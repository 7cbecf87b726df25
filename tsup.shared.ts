import { defineConfig, type Options } from 'tsup';

/**
 * How every package builds: ESM for Node 20 with declarations. Workspace packages stay external so that all
 * plugins share one copy of @radprobe/core (its classes, e.g. RadprobeError, must be the same at run time).
 */
export function packageBuild(entry: string[] | Record<string, string>, define: Record<string, string> = {}): ReturnType<typeof defineConfig> {
  const options: Options = {
    entry,
    define,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    external: [/^@radprobe\//],
  };
  return defineConfig(options);
}
