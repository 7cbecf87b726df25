import type { RadprobePlugin } from '@radprobe/core';
import { csvManifestDataset } from './csv-manifest.js';
import { imageFolderDataset } from './image-folder.js';
import { nihChestXray14Dataset } from './nih-chestxray14.js';

export { csvManifestDataset, csvManifestOptionsSchema, type CsvManifestOptions } from './csv-manifest.js';
export { imageFolderDataset, imageFolderOptionsSchema, type ImageFolderOptions } from './image-folder.js';
export { nihChestXray14Dataset, nihChestXray14OptionsSchema, NIH_FINDINGS, type NihChestXray14Options } from './nih-chestxray14.js';
export type { BadItemPolicy, CommonOptions } from './common-options.js';

/** Dataset kinds of `@radprobe/datasets`: folders of images, CSV manifests and the benchmarks' published layouts. */
const plugin: RadprobePlugin = {
  datasets: [imageFolderDataset, csvManifestDataset, nihChestXray14Dataset],
};

export default plugin;
