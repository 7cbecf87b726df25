import { hostname } from 'node:os';
import type { WorkerPlacement } from '../../contracts/results.js';

/** The scheduler variables that say which job a process is and which devices it was given, in recording order. */
const SCHEDULER_VARIABLES = [
  'SLURM_JOB_ID',
  'SLURM_ARRAY_JOB_ID',
  'SLURM_ARRAY_TASK_ID',
  'SLURM_ARRAY_TASK_COUNT',
  'SLURM_JOB_NODELIST',
  'SLURM_JOB_GPUS',
  'SLURM_STEP_GPUS',
  'JOB_COMPLETION_INDEX',
  'RADPROBE_SHARD_COUNT',
] as const;

/**
 * Where this process runs and which accelerator it was given: the host, the engine that started it (SLURM when
 * `SLURM_JOB_ID` is set, Kubernetes when `KUBERNETES_SERVICE_HOST` is, else none), the scheduler's job variables,
 * and `CUDA_VISIBLE_DEVICES` / `NVIDIA_VISIBLE_DEVICES`: the engine hands each worker its GPU through these, and
 * CUDA's device 0 is then the first one listed, so they say which physical GPU a shard was embedded on.
 */
export function workerPlacement(env: NodeJS.ProcessEnv = process.env): WorkerPlacement {
  const engine = env.SLURM_JOB_ID ? 'slurm' : env.KUBERNETES_SERVICE_HOST ? 'kubernetes' : 'none';
  const scheduler: Record<string, string> = {};
  for (const name of SCHEDULER_VARIABLES) if (env[name] !== undefined && env[name] !== '') scheduler[name] = env[name]!;
  return {
    host: hostname(),
    engine,
    scheduler,
    cudaVisibleDevices: env.CUDA_VISIBLE_DEVICES ?? null,
    nvidiaVisibleDevices: env.NVIDIA_VISIBLE_DEVICES ?? null,
  };
}

/** One line for logs and the Markdown provenance: `host h (slurm SLURM_JOB_ID=7 …), CUDA_VISIBLE_DEVICES=1`. */
export function describeWorkerPlacement(placement: WorkerPlacement): string {
  const variables = Object.entries(placement.scheduler).map(([name, value]) => `${name}=${value}`);
  const devices = [
    placement.cudaVisibleDevices === null ? 'CUDA_VISIBLE_DEVICES unset' : `CUDA_VISIBLE_DEVICES=${placement.cudaVisibleDevices}`,
    ...(placement.nvidiaVisibleDevices === null ? [] : [`NVIDIA_VISIBLE_DEVICES=${placement.nvidiaVisibleDevices}`]),
  ];
  const job = placement.engine === 'none' ? '' : ` (${[placement.engine, ...variables].join(' ')})`;
  return `host ${placement.host}${job}, ${devices.join(', ')}`;
}
