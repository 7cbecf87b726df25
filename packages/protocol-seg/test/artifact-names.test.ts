import { describe, expect, it } from 'vitest';
import { maskImageName, predictedVolumeName } from '../src/artifact-names.js';

describe('artifact names', () => {
  it('keep letters, digits, ".", "_", "-" only, dropping the image or NIfTI extension', () => {
    expect(maskImageName('unet', 'CXR_png/MCUCXR_0001_0.png')).toBe('unet-CXR_png_MCUCXR_0001_0.png');
    expect(maskImageName('linear', 'imagesTr/img0001.nii.gz#k=07')).toBe('linear-imagesTr_img0001.nii.gz_k_07.png');
    expect(predictedVolumeName('linear', 'imagesTr/img0001.nii.gz')).toBe('linear-imagesTr_img0001-pred.nii.gz');
    expect(predictedVolumeName('unet', 'scans/patient 7 (CT).nii')).toBe('unet-scans_patient_7__CT_-pred.nii.gz');
  });
});
