import type { ComponentSection } from './sections.js';

/**
 * radprobe's own plugin packages and the kinds each contributes: when a config names one of these kinds and it
 * is not installed, the error can say which package to install.
 */
export const firstPartyPlugins: ReadonlyArray<{ packageName: string; section: ComponentSection; kinds: readonly string[] }> = [
  { packageName: '@radprobe/protocol-knn', section: 'protocols', kinds: ['knn'] },
  { packageName: '@radprobe/protocol-linear', section: 'protocols', kinds: ['linear'] },
  { packageName: '@radprobe/protocol-fewshot', section: 'protocols', kinds: ['fewshot'] },
  { packageName: '@radprobe/protocol-seg', section: 'protocols', kinds: ['seg'] },
  { packageName: '@radprobe/protocol-peft', section: 'protocols', kinds: ['peft'] },
  { packageName: '@radprobe/backbone-onnx', section: 'backbones', kinds: ['onnx'] },
  {
    packageName: '@radprobe/datasets',
    section: 'datasets',
    kinds: [
      'image-folder', 'csv', 'nih-chestxray14', 'chexpert', 'sars-cov-2-ct', 'brain-tumor-mri', 'montgomery', 'shenzhen',
      'medmnist', 'btcv', 'amos', 'msd', 'dicom', 'segmentation-folder', 'dicomweb',
    ],
  },
];

/** The first-party package that provides `kind` in `section`, if any. */
export function firstPartyPackageOf(section: ComponentSection, kind: string): string | null {
  return firstPartyPlugins.find((plugin) => plugin.section === section && plugin.kinds.includes(kind))?.packageName ?? null;
}
