import { defineConfig } from 'tsup';

// @radprobe/core stays external (a peer dependency): every plugin of a run must share the CLI's copy.
export default defineConfig({ entry: ['src/index.ts'], format: ['esm'], target: 'node20', platform: 'node', dts: true, clean: true });
