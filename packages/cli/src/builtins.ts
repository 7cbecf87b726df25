import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import onnxBackbones from '@radprobe/backbone-onnx';
import type { BuiltinPlugin } from '@radprobe/core';
import datasets from '@radprobe/datasets';

const require = createRequire(import.meta.url);
/** The version of an installed package, from its package.json. */
export const versionOf = (packageName: string): string => (require(`${packageName}/package.json`) as { version: string }).version;

/** Plugins the CLI ships with. Protocol plugins are not among them: users install the ones they need. */
export const builtinPlugins: BuiltinPlugin[] = [
  { packageName: '@radprobe/backbone-onnx', version: versionOf('@radprobe/backbone-onnx'), plugin: onnxBackbones },
  { packageName: '@radprobe/datasets', version: versionOf('@radprobe/datasets'), plugin: datasets },
];

/** Plugins installed beside the CLI (e.g. a global install) are found too, not only those near the config. */
export const cliSearchDirs: string[] = [dirname(fileURLToPath(import.meta.url))];
