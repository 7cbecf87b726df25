/** The part of `radprobe doctor --json` the status bar shows. */
export interface DoctorReport {
  node: string;
  onnxruntime: { providers: Array<{ name: string; usable: boolean; note?: string }>; autoPicks: string };
  computeBackend: string;
  /** Worker threads that train (absent from doctors before it was reported). */
  trainingWorkers?: number;
}

const providerLabels: Record<string, string> = { cpu: 'CPU', cuda: 'CUDA', CPUExecutionProvider: 'CPU', CUDAExecutionProvider: 'CUDA' };

/** Reads doctor's JSON, naming what is wrong when it is not doctor's output. */
export function parseDoctorReport(stdout: string): DoctorReport {
  let value: Partial<DoctorReport>;
  try {
    value = JSON.parse(stdout);
  } catch (error) {
    throw new Error(`radprobe doctor --json did not print JSON: ${(error as Error).message}`);
  }
  if (typeof value.computeBackend !== 'string' || typeof value.onnxruntime?.autoPicks !== 'string' || !Array.isArray(value.onnxruntime.providers)) {
    throw new Error('radprobe doctor --json lacks onnxruntime.autoPicks, onnxruntime.providers or computeBackend');
  }
  return value as DoctorReport;
}

/**
 * The execution provider a run on `device` gets and the training backend, as the status bar shows them:
 * "CUDA · tfjs-node-gpu". `auto` takes what doctor says auto picks; an explicit device is shown as asked, marked
 * when doctor found it unusable (the run will fail and say why).
 */
export function backendSummary(report: DoctorReport, device: 'auto' | 'cpu' | 'cuda'): { text: string; tooltip: string } {
  const provider = device === 'auto' ? report.onnxruntime.autoPicks : device;
  const label = providerLabels[provider] ?? provider;
  const entry = report.onnxruntime.providers.find((candidate) => candidate.name === device);
  const unusable = device !== 'auto' && entry !== undefined && !entry.usable;
  const tooltip = [
    `device setting: ${device}`,
    `execution provider: ${provider}${unusable ? ` (not usable: ${entry?.note ?? 'see radprobe doctor'})` : ''}`,
    `training backend: ${report.computeBackend}${report.trainingWorkers ? ` × ${report.trainingWorkers} workers` : ''}`,
    `node: ${report.node}`,
  ].join('\n');
  const workers = report.trainingWorkers && report.trainingWorkers > 1 ? ` ×${report.trainingWorkers}` : '';
  return { text: `${label}${unusable ? ' (unavailable)' : ''} · ${report.computeBackend}${workers}`, tooltip };
}
