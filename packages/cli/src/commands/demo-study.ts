import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { canonicalJson, RadprobeError, sha256, writeFileAtomic } from '@radprobe/core';
import { loadRegistry } from '@radprobe/core/engine';
import { compareRuns } from '@radprobe/report';
import { buildDinov2Onnx, writeDinov2Fixture, writeImageFolderDataset, writeNihDataset, writeSyntheticMontgomery, type VitSpec } from '@radprobe/synthetic';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';
import { pcaForRun } from './pca.js';
import { runCommand } from './run.js';

/**
 * Three ViTs with DINOv2's architecture at different widths and depths, each an export of Meta's code exposing its
 * last 5 blocks: enough for the 4-block linear heads and the U-Net decoder, which the study's grid needs.
 */
const STUDY_MODELS: Array<{ name: string; spec: VitSpec }> = [
  { name: 'vit-s', spec: { embedDim: 48, depth: 5, heads: 2, patchSize: 14, posGrid: 16, seed: 21, style: 'meta', exposeBlocks: 5 } },
  { name: 'vit-m', spec: { embedDim: 72, depth: 5, heads: 3, patchSize: 14, posGrid: 16, registers: 4, seed: 22, style: 'meta', exposeBlocks: 5 } },
  { name: 'vit-l', spec: { embedDim: 96, depth: 6, heads: 4, patchSize: 14, posGrid: 16, seed: 23, style: 'meta', exposeBlocks: 5 } },
];

/**
 * The backbones the fine-tuning run trains: each study ViT with `clsContentAsScale`, a construction for the demo
 * (not a property of DINOv2, nor a finding about it): the image reaches the CLS token only as a rescaling of it,
 * which the final LayerNorm removes, so the frozen CLS features are the same for every image, while a shift of
 * any bias before that norm (which full fine-tuning, LoRA and BitFit all train) exposes the scale. On the plain
 * random ViTs the frozen features already separate the lesion, and the frozen reference learns as well as any mode.
 */
const PEFT_MODELS = STUDY_MODELS.map(({ name, spec }) => ({ name: `${name}-blind-cls`, base: name, spec: { ...spec, clsContentAsScale: true } }));

/** How big the generated study is: `full` for `radprobe demo --study`, `smallest` for its test. */
export type StudyDemoScale = 'full' | 'smallest';

/** Images per class and split of a generated image-folder set. */
type PerClass = { train: number; val: number; test: number };

interface StudyScale {
  /** Input side of every run (one preprocessing for all, so the comparison page may put them side by side). */
  side: number;
  imageFolder: { perClass: PerClass; size: number; seed: number };
  nih: { patients: number; imagesPerPatient: [number, number]; seed: number; size: number; valSize: number };
  lungs: { images: number; side: number; seed: number };
  /** The fine-tuning set (normal against effusion) and the study ViTs whose blind-CLS versions fine-tune on it. */
  effusion: { perClass: PerClass; size: number; seed: number };
  peftBackbones: string[];
  shots: Array<number | 'all'>;
  nTries: number;
  bootstrapSamples: number;
  segEpochs: number;
}

const STUDY_SCALES: Record<StudyDemoScale, StudyScale> = {
  full: {
    side: 112,
    imageFolder: { perClass: { train: 30, val: 10, test: 16 }, size: 128, seed: 7 },
    nih: { patients: 80, imagesPerPatient: [1, 2], seed: 11, size: 128, valSize: 20 },
    lungs: { images: 30, side: 112, seed: 13 },
    effusion: { perClass: { train: 12, val: 12, test: 32 }, size: 128, seed: 17 },
    peftBackbones: STUDY_MODELS.map(({ name }) => name),
    shots: [1, 2, 4, 8, 'all'],
    nTries: 3,
    bootstrapSamples: 300,
    segEpochs: 12,
  },
  smallest: {
    side: 56,
    imageFolder: { perClass: { train: 8, val: 4, test: 6 }, size: 64, seed: 7 },
    nih: { patients: 36, imagesPerPatient: [1, 2], seed: 11, size: 64, valSize: 8 },
    lungs: { images: 16, side: 56, seed: 13 },
    // As many TEST images as the full scale has nearly: they only cost eval forwards, and they make the AUROC meaningful.
    effusion: { perClass: { train: 12, val: 12, test: 24 }, size: 64, seed: 17 },
    // Fine-tuning is the costliest protocol by far (every training image through the network's backward, seven
    // trainings per backbone): the smallest scale fine-tunes the smallest backbone only.
    peftBackbones: ['vit-s'],
    shots: [1, 4, 'all'],
    nTries: 2,
    bootstrapSamples: 50,
    segEpochs: 2,
  },
};

/** One run of the study demo: a config of its own, because each protocol family needs its own datasets. */
interface StudyRunConfig {
  label: string;
  config: Record<string, unknown>;
}

/** The study demo's configs, given each model's path relative to the demo folder. */
export function studyDemoConfigs(modelPaths: Record<string, string>, scale: StudyDemoScale, withPeft: boolean): StudyRunConfig[] {
  const settings = STUDY_SCALES[scale];
  const common = (label: string, title: string) => ({
    $schema: './radprobe.schema.json',
    name: `radprobe study demo: ${title}`,
    seed: 0,
    output: `results/${label}`,
    cache: '.radprobe/cache',
    preprocessing: { preset: 'study', resize: { mode: 'square', size: settings.side } },
    bootstrap: { samples: settings.bootstrapSamples, confidence: 0.95 },
    backbones: STUDY_MODELS.map(({ name }) => ({ kind: 'onnx', name, model: modelPaths[name] })),
  });
  const cxr = { kind: 'image-folder', name: 'synthetic-cxr', root: 'data/synthetic-cxr' };
  const nih = { kind: 'nih-chestxray14', name: 'synthetic-nih', root: 'data/synthetic-nih', valSize: settings.nih.valSize };
  const lungs = { kind: 'montgomery', name: 'synthetic-lungs', root: 'data/synthetic-lungs' };
  // Few lrs and a larger micro-batch than the 448-px default: these decoders are tiny, and the demo must stay minutes.
  const seg = { kind: 'seg', loss: 'dice+ce', learningRates: [0.05, 0.1], epochs: settings.segEpochs, batchSize: 8, microBatchSize: 8, writeMasks: 2 };
  const runs: StudyRunConfig[] = [
    {
      label: 'classification',
      config: {
        ...common('classification', 'kNN, linear probe and few-shot on two classification sets'),
        datasets: [cxr, nih],
        protocols: [
          { kind: 'knn', k: [5, 10, 20] },
          // The study's 16 heads; 100 epochs rather than 10, since a hundred images make ten epochs only ten steps.
          { kind: 'linear', name: 'linear', epochs: 100 },
          { kind: 'fewshot', name: 'fewshot-linear', protocol: { kind: 'linear', learningRates: [0.01, 0.05], epochs: 100 }, shots: settings.shots, nTries: settings.nTries },
        ],
      },
    },
    {
      label: 'segmentation',
      config: {
        ...common('segmentation', 'linear and U-Net decoders, and few-shot, on a lung segmentation set'),
        datasets: [lungs],
        protocols: [
          { ...seg, name: 'seg', decoders: ['linear', 'unet'] },
          { kind: 'fewshot', name: 'fewshot-seg', protocol: { ...seg, decoders: ['linear'] }, shots: settings.shots, nTries: 1, unit: 'image' },
        ],
      },
    },
  ];
  if (withPeft) {
    const base = common('peft', 'fine-tuning, LoRA and BitFit against the frozen reference on a normal/effusion set, on ViTs whose frozen CLS token is blind');
    runs.push({
      label: 'peft',
      config: {
        ...base,
        backbones: PEFT_MODELS.filter(({ base: study }) => settings.peftBackbones.includes(study)).map(({ name }) => ({ kind: 'onnx', name, model: modelPaths[name] })),
        datasets: [{ kind: 'image-folder', name: 'synthetic-effusion', root: 'data/synthetic-effusion', task: 'binary', positive: 'effusion' }],
        protocols: [
          {
            kind: 'peft',
            modes: ['full', 'lora', 'bitfit'],
            lora: { rank: 4, alpha: 16, dropout: 0.1 },
            learningRates: [0.01, 0.03],
            loraLearningRates: [0.3, 1],
            bitfitLearningRates: [1, 3],
            // The study's head: the CLS token alone (the mean patch token would show the frozen reference the image).
            headLearningRate: 0.01,
            // The whole TRAIN set per step: with a handful of steps, unbalanced mini-batches would leave the head's
            // offset wherever the last one pushed it (every image on one side of the threshold).
            epochs: 8,
            batchSize: 2 * settings.effusion.perClass.train,
            // VAL only chooses: the chosen network is then scored as it is rather than trained a second time.
            finalTraining: 'train',
            augmentation: { randomResizedCrop: false, horizontalFlip: false },
            select: 'per-mode',
            compareWithFrozen: true,
          },
        ],
      },
    });
  }
  return runs;
}

/** Whether `kind` is among the protocols a config in `dir` could use. */
async function protocolInstalled(dir: string, kind: string): Promise<boolean> {
  const registry = await loadRegistry({ baseDir: dir, explicit: [], builtins: builtinPlugins, searchDirs: cliSearchDirs });
  return registry.protocols.has(kind);
}

/**
 * Writes the study demo's models, data and configs, unless this exact version is already there (models and data
 * are reused then; the configs are rewritten, since whether peft is installed may have changed). Returns the
 * config paths in run order.
 */
export async function prepareStudyDemo(dir: string, scale: StudyDemoScale): Promise<Array<{ label: string; configPath: string }>> {
  const settings = STUDY_SCALES[scale];
  const models = [...STUDY_MODELS, ...PEFT_MODELS];
  // Each model file's digest rather than its spec alone: a change to testkit's constructions (the blind CLS token's)
  // leaves the specs as they were, and the demo must not keep the models an earlier version generated.
  const modelDigests = Object.fromEntries(models.map(({ name, spec }) => [name, sha256(buildDinov2Onnx(spec))]));
  const stamp = canonicalJson({ modelDigests, data: { imageFolder: settings.imageFolder, nih: settings.nih, lungs: settings.lungs, effusion: settings.effusion } });
  const stampPath = join(dir, '.generated');
  const modelPaths = Object.fromEntries(models.map(({ name }) => [name, `models/${name}/model.onnx`]));
  if ((await readFile(stampPath, 'utf8').catch(() => '')) !== stamp) {
    process.stderr.write(`generating the study demo's models and data in ${dir}\n`);
    for (const { name, spec } of models) {
      const written = relative(dir, await writeDinov2Fixture(join(dir, 'models', name), spec)).split(sep).join('/');
      if (written !== modelPaths[name]) throw new RadprobeError(`writeDinov2Fixture wrote ${written}, expected ${modelPaths[name]}`);
    }
    await writeImageFolderDataset(join(dir, 'data', 'synthetic-cxr'), { classes: ['normal', 'effusion', 'cardiomegaly'], ...settings.imageFolder });
    await writeNihDataset(join(dir, 'data', 'synthetic-nih'), settings.nih);
    await writeSyntheticMontgomery(join(dir, 'data', 'synthetic-lungs'), settings.lungs);
    await writeImageFolderDataset(join(dir, 'data', 'synthetic-effusion'), { classes: ['normal', 'effusion'], ...settings.effusion });
    await writeFileAtomic(stampPath, stamp);
  }
  const withPeft = await protocolInstalled(dir, 'peft');
  if (!withPeft) process.stderr.write('protocol peft is not installed (npm i @radprobe/protocol-peft): the study demo runs without fine-tuning\n');
  const configs = [];
  for (const { label, config } of studyDemoConfigs(modelPaths, scale, withPeft)) {
    const configPath = join(dir, `study-${label}.json`);
    await writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
    configs.push({ label, configPath });
  }
  return configs;
}

async function runFolders(dir: string): Promise<string[]> {
  return existsSync(dir) ? (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name) : [];
}

export interface StudyDemoResult {
  /** 0 when every run completed every cell. */
  code: number;
  /** Each run's output folder (results.json, report.html), in run order. */
  runDirs: string[];
}

/** Runs every config of the study demo, one after the other, over one shared feature cache. */
export async function runStudyDemo(options: { dir: string; reporter: 'pretty' | 'jsonl'; scale: StudyDemoScale }): Promise<StudyDemoResult> {
  const dir = resolve(options.dir);
  const configs = await prepareStudyDemo(dir, options.scale);
  let code = 0;
  const runDirs: string[] = [];
  for (const { label, configPath } of configs) {
    const output = join(dir, 'results', label);
    const before = new Set(await runFolders(output));
    code = Math.max(code, await runCommand({ config: configPath, reporter: options.reporter }));
    const created = (await runFolders(output)).filter((name) => !before.has(name));
    if (created.length !== 1) throw new RadprobeError(`${configPath}: expected the run to write one new folder under ${output}, found ${created.length}`);
    runDirs.push(join(output, created[0]));
  }
  return { code, runDirs };
}

/** `radprobe demo --study`: the whole grid, then the comparison page over its runs (in `<dir>/compare/`). */
export async function studyDemoCommand(options: { dir: string; reporter: 'pretty' | 'jsonl'; scale: StudyDemoScale }): Promise<number> {
  const { code, runDirs } = await runStudyDemo(options);
  // The segmentation run has every backbone's patch tokens of the lung images cached: the PCA figures read them there.
  const segmentationRun = runDirs.find((runDir) => runDir.startsWith(join(resolve(options.dir), 'results', 'segmentation')));
  if (segmentationRun) await pcaForRun(segmentationRun, { count: 4 });
  const compared = await compareRuns(runDirs, { out: join(resolve(options.dir), 'compare'), title: 'radprobe study demo: generated ViTs × synthetic radiology sets' });
  for (const warning of compared.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stderr.write(`study runs:\n${runDirs.map((runDir) => `  ${runDir}\n`).join('')}comparison: ${compared.html}\n`);
  return code;
}
