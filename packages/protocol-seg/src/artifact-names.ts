/** The engine's rule for artifact names: letters, digits, `.`, `_`, `-`; anything else becomes `_`. */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** `<decoder>-<item id without its image extension>.png`: the truth and prediction image of one TEST item. */
export function maskImageName(decoder: string, itemId: string): string {
  return `${safeName(decoder)}-${safeName(itemId.replace(/\.(png|jpe?g|dcm)$/i, ''))}.png`;
}

/** `<decoder>-<volume id without its NIfTI extension>-pred.nii.gz`: the predicted label volume of one TEST scan. */
export function predictedVolumeName(decoder: string, volume: string): string {
  return `${safeName(decoder)}-${safeName(volume.replace(/\.nii(\.gz)?$/i, ''))}-pred.nii.gz`;
}
