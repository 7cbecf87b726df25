import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistryForConfig, validateConfigText, type PluginRegistry } from '@radprobe/core/engine';
import { writeDinov2Fixture } from '@radprobe/testkit';
import { builtinPlugins, cliSearchDirs } from '../src/builtins.js';
import { runCli, temporaryDir } from './helpers.js';

const STUDY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'study');
const VARIABLES = ['NIH_ROOT', 'CHEXPERT_ROOT', 'SARS_COV_2_CT_ROOT', 'BRAIN_TUMOR_MRI_ROOT', 'MONTGOMERY_ROOT', 'SHENZHEN_ROOT', 'BTCV_ROOT', 'AMOS_ROOT', 'MSD_ROOT'];
const BACKBONE_VARIABLES = ['DINOV2_S', 'DINOV2_B', 'DINOV2_L', 'DINOV2_G'];

describe('the study presets in examples/study', () => {
  let presets: string[];
  let env: Record<string, string>;
  let registry: PluginRegistry;

  beforeAll(async () => {
    presets = (await readdir(STUDY)).filter((name) => name.endsWith('.jsonc')).sort();
    const fixtures = await temporaryDir('study-presets');
    env = Object.fromEntries([...VARIABLES, ...BACKBONE_VARIABLES].map((name) => [name, join(fixtures, name.toLowerCase())]));
    // validate checks that what the variables name exists: a folder per dataset root, a model file per backbone.
    for (const name of VARIABLES) await mkdir(env[name], { recursive: true });
    const model = await readFile(await writeDinov2Fixture(join(fixtures, 'vit'), { embedDim: 32, depth: 2, heads: 2, patchSize: 14, posGrid: 4, seed: 5, style: 'meta' }));
    for (const name of BACKBONE_VARIABLES) await writeFile(env[name], model);
    registry = await loadRegistryForConfig(join(STUDY, 'knn.jsonc'), builtinPlugins, cliSearchDirs);
  });

  it('cover every protocol family, and the README maps each one to the study', async () => {
    expect(presets).toEqual(['fewshot-seg.jsonc', 'fewshot.jsonc', 'knn.jsonc', 'linear.jsonc', 'peft.jsonc', 'seg.jsonc']);
    const readme = await readFile(join(STUDY, 'README.md'), 'utf8');
    for (const preset of presets) expect(readme).toContain(`[${preset}](${preset})`);
  });

  it('take every dataset root and backbone file from the variables', async () => {
    const peftInstalled = registry.protocols.has('peft');
    for (const preset of presets.filter((name) => peftInstalled || name !== 'peft.jsonc')) {
      const config = validateConfigText(await readFile(join(STUDY, preset), 'utf8'), preset, registry, env);
      const roots = config.datasets.map((entry) => entry.root as string);
      expect(roots.every((root) => Object.values(env).includes(root)), `${preset}: ${roots.join(', ')}`).toBe(true);
      expect(config.backbones.map((entry) => entry.model)).toEqual(BACKBONE_VARIABLES.map((name) => env[name]));
    }
  });

  it('pass `radprobe validate` (peft.jsonc once @radprobe/protocol-peft is installed; until then it names the package)', async () => {
    for (const preset of presets) {
      const result = await runCli(['validate', join(STUDY, preset)], { cwd: STUDY, env });
      if (preset === 'peft.jsonc' && !registry.protocols.has('peft')) {
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain('@radprobe/protocol-peft');
      } else {
        expect(result.stderr, preset).toBe('');
        expect(result.stdout).toContain(`${preset} is valid`);
      }
    }
  }, 120_000);
});
