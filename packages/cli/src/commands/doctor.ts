import { cpus, totalmem } from 'node:os';
import { describeExecutionProviders } from '@radprobe/backbone-onnx';
import { computeBackend, describeTrainingBackend } from '@radprobe/core';

/** `radprobe doctor`: the runtimes, execution providers and compute backend this machine gives radprobe. */
export async function doctorCommand(options: { json: boolean }): Promise<number> {
  const providers = await describeExecutionProviders();
  const { name: compute } = await computeBackend();
  const training = await describeTrainingBackend();
  const report = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    onnxruntime: providers,
    computeBackend: compute,
    trainingBackend: training.description,
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
      `compute       ${compute} (kNN similarities)`,
      `training      ${training.description}`,
    ].join('\n') + '\n',
  );
  return 0;
}
