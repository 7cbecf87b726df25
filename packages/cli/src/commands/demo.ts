import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { canonicalJson, writeFileAtomic } from '@radprobe/core';
import { writeDinov2Fixture, writeImageFolderDataset, writeNihDataset, type VitSpec } from '@radprobe/synthetic';
import { studyDemoCommand, type StudyDemoScale } from './demo-study.js';
import { runCommand } from './run.js';
import { schemaCommand } from './validate.js';

/** Where `radprobe demo` and `radprobe demo --study` write, unless `--dir` says otherwise. */
export const DEMO_DIR = 'demo';
export const STUDY_DEMO_DIR = 'demo-study';

/**
 * The built-in default: two small ViTs with DINOv2's architecture (one Hugging Face-style export, one export of
 * Meta's code exposing four blocks), a synthetic chest-X-ray classification set in the image-folder layout and a
 * synthetic NIH ChestX-ray14 folder, all generated here deterministically, evaluated with kNN and the linear probe.
 */
const DEMO_MODELS: Array<{ name: string; spec: VitSpec }> = [
  { name: 'vit-tiny-hf', spec: { embedDim: 96, depth: 4, heads: 3, patchSize: 14, posGrid: 16, seed: 1, style: 'hf', withPooler: true } },
  { name: 'vit-tiny-meta-reg4', spec: { embedDim: 96, depth: 4, heads: 3, patchSize: 14, posGrid: 16, registers: 4, seed: 2, style: 'meta', exposeBlocks: 4 } },
];

const DEMO_DATA = {
  imageFolder: { perClass: { train: 40, val: 10, test: 20 }, size: 256, seed: 7 },
  nih: { patients: 80, imagesPerPatient: [1, 3] as [number, number], seed: 11, size: 256 },
};

/** The demo's config, given each model's path relative to the demo folder. */
export function demoConfig(modelPaths: Record<string, string>): Record<string, unknown> {
  return {
    $schema: './radprobe.schema.json',
    name: 'radprobe demo: generated ViTs × synthetic chest X-rays × kNN and linear probe',
    seed: 0,
    output: 'results',
    cache: '.radprobe/cache',
    preprocessing: 'study',
    bootstrap: { samples: 500, confidence: 0.95 },
    backbones: DEMO_MODELS.map(({ name }) => ({ kind: 'onnx', name, model: modelPaths[name] })),
    datasets: [
      { kind: 'image-folder', name: 'synthetic-cxr', root: 'data/synthetic-cxr' },
      { kind: 'nih-chestxray14', name: 'synthetic-nih', root: 'data/synthetic-nih', valSize: 20 },
    ],
    protocols: [
      { kind: 'knn', k: [5, 10, 20] },
      { kind: 'linear', name: 'linear' },
      { kind: 'linear', name: 'logreg', method: 'logreg' },
    ],
  };
}

/**
 * Writes the demo's models, data and config, unless this exact version is already there (the config is kept
 * then, with any edits the user made).
 */
export async function prepareDemo(dir: string): Promise<string> {
  const stamp = canonicalJson({ DEMO_MODELS, DEMO_DATA });
  const stampPath = join(dir, '.generated');
  const configPath = join(dir, 'radprobe.json');
  const current = await readFile(stampPath, 'utf8').catch(() => '');
  if (current === stamp && existsSync(configPath)) return configPath;
  process.stderr.write(`generating the demo models and data in ${dir}\n`);
  const modelPaths: Record<string, string> = {};
  for (const { name, spec } of DEMO_MODELS) {
    modelPaths[name] = relative(dir, await writeDinov2Fixture(join(dir, 'models', name), spec)).split(sep).join('/');
  }
  await writeImageFolderDataset(join(dir, 'data', 'synthetic-cxr'), DEMO_DATA.imageFolder);
  await writeNihDataset(join(dir, 'data', 'synthetic-nih'), DEMO_DATA.nih);
  await writeFileAtomic(configPath, `${JSON.stringify(demoConfig(modelPaths), null, 2)}\n`);
  await writeFileAtomic(stampPath, stamp);
  return configPath;
}

/**
 * `radprobe demo`: generates the built-in default if needed and evaluates it; with `study`, the study's grid on
 * generated backbones and data instead (see demo-study.ts).
 */
export async function demoCommand(options: { dir?: string; reporter: 'pretty' | 'jsonl'; study: boolean; scale: StudyDemoScale }): Promise<number> {
  if (options.study) return studyDemoCommand({ dir: options.dir ?? STUDY_DEMO_DIR, reporter: options.reporter, scale: options.scale });
  const dir = resolve(options.dir ?? DEMO_DIR);
  const configPath = await prepareDemo(dir);
  await schemaCommand(configPath, join(dir, 'radprobe.schema.json'));
  return runCommand({ config: configPath, reporter: options.reporter });
}
