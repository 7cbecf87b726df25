import { definePlugin } from '@radprobe/core';
import { amosDataset } from './amos.js';
import { btcvDataset } from './btcv.js';
import { brainTumorMriDataset } from './brain-tumor-mri.js';
import { chexpertDataset } from './chexpert.js';
import { csvManifestDataset } from './csv-manifest.js';
import { dicomDataset } from './dicom-dataset.js';
import { dicomwebDataset } from './dicomweb-dataset.js';
import { imageFolderDataset } from './image-folder.js';
import { medmnistDataset } from './medmnist.js';
import { montgomeryDataset } from './montgomery.js';
import { msdDataset } from './msd.js';
import { nihChestXray14Dataset } from './nih-chestxray14.js';
import { sarsCov2CtDataset } from './sars-cov-2-ct.js';
import { segmentationFolderDataset } from './segmentation-folder.js';
import { shenzhenDataset } from './shenzhen.js';

export { brainTumorMriDataset, brainTumorMriOptionsSchema, BRAIN_TUMOR_CLASSES, type BrainTumorMriOptions } from './brain-tumor-mri.js';
export { chexpertDataset, chexpertOptionsSchema, CHEXPERT_FINDINGS, type ChexpertOptions } from './chexpert.js';
export { csvManifestDataset, csvManifestOptionsSchema, type CsvManifestOptions } from './csv-manifest.js';
export { dicomDataset, dicomDatasetOptionsSchema, type DicomDatasetOptions } from './dicom-dataset.js';
export { dicomwebDataset, dicomwebDatasetOptionsSchema, openDicomwebCohort, type DicomwebCohort, type DicomwebDatasetOptions } from './dicomweb-dataset.js';
export { openImageFile, readImageBytes } from './image-file.js';
export { isFileDataset, type FileDataset } from './file-dataset.js';
export { FolderScan, type FilePath, type FolderEntry, type ListedFile } from './listing.js';
export { decodeDicomFrame, resolveDicomWindow, type DicomWindow, type DicomWindowOption } from './dicom/image.js';
export { isDicom, parseDicomFile, type DicomFile, type DicomHeader } from './dicom/parse.js';
export { orderSeries, type OrderedSeries } from './dicom/series.js';
export { parseNpz } from './npz.js';
export type { NpyArray } from './npy.js';
export { imageFolderDataset, imageFolderOptionsSchema, type ImageFolderOptions } from './image-folder.js';
export { segmentationFolderDataset, segmentationFolderOptionsSchema, type SegmentationFolderOptions } from './segmentation-folder.js';
export type { ClassListOption } from './label-classes.js';
export { readImageHeader } from './image-header.js';
export { medmnistDataset, medmnistOptionsSchema, type MedmnistOptions } from './medmnist.js';
export { MEDMNIST_DATASETS, type MedmnistInfo } from './medmnist-info.js';
export { montgomeryDataset, montgomeryOptionsSchema, MONTGOMERY_CLASSES, type MontgomeryOptions } from './montgomery.js';
export { sarsCov2CtDataset, sarsCov2CtOptionsSchema, SARS_COV_2_CT_CLASSES, type SarsCov2CtOptions } from './sars-cov-2-ct.js';
export { shenzhenDataset, shenzhenOptionsSchema, SHENZHEN_CLASSES, type ShenzhenOptions } from './shenzhen.js';
export { nihChestXray14Dataset, nihChestXray14OptionsSchema, NIH_FINDINGS, type NihChestXray14Options } from './nih-chestxray14.js';
export { amosDataset, amosOptionsSchema, type AmosOptions } from './amos.js';
export { btcvDataset, btcvOptionsSchema, BTCV_CLASSES, type BtcvOptions } from './btcv.js';
export { msdDataset, msdOptionsSchema, type MsdOptions } from './msd.js';
export { decodeNifti, readNiftiFile, readNiftiGeometry, type NiftiDatatype, type NiftiVolume, type VolumeGeometry, type VoxelArray } from './volume/nifti.js';
export { extractLabelSlice, extractSlice, placeSlice, sliceGrid, type SliceAxis, type SliceGrid, type VolumeOrientation, type VolumeSlice } from './volume/slicing.js';
export { encodeNifti, voxelValues, writeNifti, type NiftiContent, type NiftiWritableDatatype } from './volume/nifti-writer.js';
export { encodeLabelVolumeFile, labelVolumeName, type LabelSlice } from './volume/label-volume.js';
export { isVolumeDataset, type SliceGeometry, type VolumeDataset } from './volume/volume-dataset.js';
export type { VolumeOptions } from './volume/volume-options.js';
export type { Affine, AffineSource, TransformFields } from './volume/affine.js';
export type { BadItemPolicy, CommonOptions } from './common-options.js';

/** Dataset kinds of `@radprobe/datasets`: folders of images (and of images with masks), CSV manifests and the benchmarks' published layouts. */
const plugin = definePlugin({
  datasets: [
    imageFolderDataset, csvManifestDataset, nihChestXray14Dataset, chexpertDataset, sarsCov2CtDataset, brainTumorMriDataset, montgomeryDataset,
    shenzhenDataset, medmnistDataset, btcvDataset, amosDataset, msdDataset, dicomDataset,
    segmentationFolderDataset, dicomwebDataset],
});

export default plugin;
