import { chmodSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

/** The first-party plugin the workspace does not have installed, for the "Install …" quick fix. */
export const notInstalledPlugin = { packageName: '@radprobe/protocol-fewshot', kind: 'fewshot' };

/**
 * A workspace with the demo's generated models and data (from the built CLI) and a small config, one backbone ×
 * a multi-label and a multiclass dataset × kNN, so that a run takes seconds. Its node_modules links the repo's
 * packages, which is how the extension finds radprobe and its plugins there, all but `notInstalledPlugin`.
 */
export async function demoWorkspace(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'radprobe-vscode-ws-'));
  const cli = (await import(pathToFileURL(join(repoRoot, 'packages/cli/dist/index.js')).href)) as { prepareDemo(dir: string): Promise<string> };
  await cli.prepareDemo(dir);
  mkdirSync(join(dir, 'node_modules', '@radprobe'), { recursive: true });
  const modules = join(dir, 'node_modules');
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (entry !== '@radprobe') symlinkSync(join(repoRoot, 'node_modules', entry), join(modules, entry));
  }
  for (const entry of readdirSync(join(repoRoot, 'node_modules', '@radprobe'))) {
    if (`@radprobe/${entry}` !== notInstalledPlugin.packageName) symlinkSync(join(repoRoot, 'node_modules', '@radprobe', entry), join(modules, '@radprobe', entry));
  }
  writeFileSync(join(dir, 'radprobe.json'), `${JSON.stringify(demoConfig, null, 2)}\n`);
  return dir;
}

/** The workspace's radprobe.json. */
export const demoConfig = {
  name: 'vscode integration',
  seed: 0,
  output: 'results',
  bootstrap: { samples: 200, confidence: 0.95 },
  backbones: [{ kind: 'onnx', name: 'vit-tiny-hf', model: 'models/vit-tiny-hf/onnx/model.onnx' }],
  // Multi-label: ML-kNN reports AUROC per class and ROC/PR curves, which the report draws as charts; the
  // multiclass image folder gets a confusion matrix.
  datasets: [
    { kind: 'nih-chestxray14', name: 'synthetic-nih', root: 'data/synthetic-nih', valSize: 20 },
    { kind: 'image-folder', name: 'synthetic-cxr', root: 'data/synthetic-cxr' },
  ],
  protocols: [{ kind: 'knn', k: [5, 10] }],
};

/**
 * A config of the demo workspace whose model file does not exist: `radprobe run` fails both cells and exits 2
 * (no cell completed), the run that the Testing view must show as errored.
 */
export const missingModelConfig = {
  name: 'missing model',
  seed: 0,
  output: 'results-missing',
  backbones: [{ kind: 'onnx', name: 'vit-missing', model: 'models/missing/model.onnx' }],
  datasets: demoConfig.datasets,
  protocols: [{ kind: 'knn', k: [5] }],
};

/**
 * A folder with an `npm` that records its working folder and arguments in `calls` instead of installing: put
 * first on the PATH of the editor's terminals, it is the npm they run.
 */
export function recordingNpm(): { binDir: string; calls: string } {
  const binDir = mkdtempSync(join(tmpdir(), 'radprobe-npm-'));
  const calls = join(binDir, 'calls.txt');
  writeFileSync(join(binDir, 'npm'), `#!/bin/sh\nprintf '%s\\n' "$PWD $*" >> '${calls}'\n`);
  chmodSync(join(binDir, 'npm'), 0o755);
  return { binDir, calls };
}
