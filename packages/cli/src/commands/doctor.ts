import { cpus, totalmem } from 'node:os';
import { describeExecutionProviders } from '@radprobe/backbone-onnx';
import { computeBackend, describeTrainingBackend } from '@radprobe/core';
import { resolveTrainingWorkers, TRAINING_WORKERS_VARIABLE } from '@radprobe/core/engine';

const WORKER_SOURCES = { config: 'the config', [TRAINING_WORKERS_VARIABLE]: TRAINING_WORKERS_VARIABLE, cores: 'os.availableParallelism()' } as const;

/** `radprobe doctor`: the runtimes, execution providers and compute backend this machine gives radprobe. */
export async function doctorCommand(options: { json: boolean }): Promise<number> {
  const providers = await describeExecutionProviders();
  const { name: compute, passedOver } = await computeBackend();
  const training = await describeTrainingBackend();
  const requested = resolveTrainingWorkers(undefined);
  // tfjs-wasm runs one thread per instance, so training spreads over worker threads; native TensorFlow threads by itself.
  const workers = compute === 'wasm' ? requested.count : 1;
  const workersWhy = compute === 'wasm' ? `from ${WORKER_SOURCES[requested.source]}` : `${compute} uses every core from one thread`;
  const report = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    onnxruntime: providers,
    computeBackend: compute,
    computeBackendsPassedOver: passedOver,
    trainingBackend: training.description,
    trainingWorkers: workers,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    [
      `node          ${report.node} (${report.platform})`,
      `cpu           ${report.cpu}, ${report.memoryGiB} GiB`,
      `onnxruntime   ${providers.providers.map((p) => `${p.name}${p.usable ? '' : ' (not usable)'}`).join(', ')}; device "auto" picks ${providers.autoPicks}`,
      ...providers.providers.filter((p) => p.note).map((p) => `              ${p.name}: ${p.note}`),
      `compute       ${compute} (kNN similarities and training; tried in the order tensorflow-gpu, tensorflow, wasm)`,
      ...passedOver.map(({ name, reason }) => `              ${name}: ${reason}`),
      `training      ${training.description} × ${workers} worker${workers === 1 ? '' : 's'} (${workersWhy})`,
    ].join('\n') + '\n',
  );
  return 0;
}
