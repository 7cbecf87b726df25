import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

/**
 * A workspace with the demo's generated models and data (from the built CLI) and a small config, one backbone ×
 * a multi-label and a multiclass dataset × kNN, so that a run takes seconds. The repo's node_modules is linked in, which is how the extension
 * finds radprobe and its plugins there.
 */
export async function demoWorkspace(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'radprobe-vscode-ws-'));
  const cli = (await import(pathToFileURL(join(repoRoot, 'packages/cli/dist/index.js')).href)) as { prepareDemo(dir: string): Promise<string> };
  await cli.prepareDemo(dir);
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  const config = {
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
  writeFileSync(join(dir, 'radprobe.json'), `${JSON.stringify(config, null, 2)}\n`);
  return dir;
}

/**
 * A config of the demo workspace whose model file does not exist: `radprobe run` fails both cells and exits 2
 * (no cell completed), the run that the Testing view must show as errored.
 */
export const missingModelConfig = {
  name: 'missing model',
  seed: 0,
  output: 'results-missing',
  backbones: [{ kind: 'onnx', name: 'vit-missing', model: 'models/missing/model.onnx' }],
  datasets: [
    { kind: 'nih-chestxray14', name: 'synthetic-nih', root: 'data/synthetic-nih', valSize: 20 },
    { kind: 'image-folder', name: 'synthetic-cxr', root: 'data/synthetic-cxr' },
  ],
  protocols: [{ kind: 'knn', k: [5] }],
};
