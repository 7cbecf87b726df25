import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ["src/index.ts"],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  // Workspace packages stay imports, so every package shares one RadprobeError class (instanceof works).
  external: [/^@radprobe\//],
});
