import { defineConfig } from 'tsup';

/**
 * One CommonJS file for the extension host, which loads extensions with require(). `vscode` is provided by the
 * host; everything else the extension uses (jsonc-parser) is bundled in. From @radprobe/core only types are
 * imported, and they vanish here: no radprobe code runs in the editor.
 */
export default defineConfig({
  entry: { extension: 'src/extension.ts' },
  format: ['cjs'],
  target: 'node20',
  platform: 'node',
  outDir: 'dist',
  external: ['vscode'],
  noExternal: [/^(?!vscode$).*/],
  sourcemap: true,
  clean: true,
  dts: false,
  outExtension: () => ({ js: '.js' }),
});
