import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { firstPartyPackageOf, PATH_ANNOTATION } from '@radprobe/core/engine';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const ajv = new Ajv({ allErrors: true, strict: true });
// radprobe's one schema keyword beyond JSON Schema: which options name files and folders.
ajv.addKeyword({ keyword: PATH_ANNOTATION, schemaType: 'string', metaSchema: { enum: ['file', 'dir'] } });

const MINIMAL: Record<string, Record<string, unknown>> = {
  'image-folder': { root: 'data' },
  'segmentation-folder': { root: 'data' },
  csv: { manifest: 'data/manifest.csv' },
  'nih-chestxray14': { root: 'nih' },
  chexpert: { root: 'CheXpert-v1.0-small' },
  'sars-cov-2-ct': { root: 'sars' },
  'brain-tumor-mri': { root: 'figshare' },
  montgomery: { root: 'MC' },
  shenzhen: { root: 'CHN' },
  medmnist: { file: 'pathmnist_224.npz' },
  dicom: { root: 'dicom' },
  btcv: { root: 'btcv' },
  amos: { root: 'amos' },
  msd: { root: 'Task09_Spleen' },
  dicomweb: { url: 'http://localhost:8042/dicom-web', cohort: { csv: 'cohort.csv' } },
};

describe('@radprobe/datasets plugin', () => {
  it('contributes exactly the kinds its package.json manifest announces', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { radprobe: { datasets: string[] } };
    expect(plugin.datasets!.map((factory) => factory.kind)).toEqual(manifest.radprobe.datasets);
  });

  it('core names this package for each of its kinds (what a config naming one, uninstalled, is told to install)', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { radprobe: { datasets: string[] } };
    expect(manifest.radprobe.datasets.filter((kind) => firstPartyPackageOf('datasets', kind) !== '@radprobe/datasets')).toEqual([]);
  });

  for (const factory of plugin.datasets!) {
    it(`${factory.kind}: the options schema accepts kind, name and onBadItem and rejects unknown options`, () => {
      const validate = ajv.compile(factory.optionsSchema);
      const minimal = MINIMAL[factory.kind];
      expect(validate({ ...minimal, kind: factory.kind, name: 'x', onBadItem: 'skip' })).toBe(true);
      expect(validate({ ...minimal, rootFolder: 'typo' })).toBe(false);
      expect(validate.errors?.[0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'rootFolder' } });
      expect(validate({ kind: factory.kind })).toBe(false);
      expect(validate({ ...minimal, onBadItem: 'ignore' })).toBe(false);
    });
  }
});
