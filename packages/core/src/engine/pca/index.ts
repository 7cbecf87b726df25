export { symmetricEigen, type SymmetricEigen } from './symmetric-eigen.js';
export { principalComponents, projectRows, type PrincipalComponents } from './principal-components.js';
export {
  patchPca, DEFAULT_PATCH_PCA_OPTIONS, type ForegroundSide, type PatchGrid, type PatchPcaFigure, type PatchPcaImage, type PatchPcaOptions,
} from './patch-pca.js';
export { pcaImagePng, type PcaImageOptions } from './pca-image.js';
export { itemPatchTokens, type ItemPatchTokens, type ItemPatchTokensRequest } from './item-patch-tokens.js';
export {
  assertValidPcaManifest, pcaManifestSchema, type PcaManifest, type PcaManifestImage, type PcaManifestPair,
} from './pca-manifest.js';
