import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeWorkerPlacement, workerPlacement } from '../src/engine/index.js';

describe('workerPlacement', () => {
  it('records a SLURM array task with the GPU its --gres gave it', () => {
    const placement = workerPlacement({
      SLURM_JOB_ID: '17',
      SLURM_ARRAY_JOB_ID: '15',
      SLURM_ARRAY_TASK_ID: '2',
      SLURM_ARRAY_TASK_COUNT: '4',
      SLURM_JOB_GPUS: '3',
      CUDA_VISIBLE_DEVICES: '3',
      SLURM_CPUS_ON_NODE: '8',
      HOME: '/root',
    });
    expect(placement).toEqual({
      host: hostname(),
      engine: 'slurm',
      scheduler: { SLURM_JOB_ID: '17', SLURM_ARRAY_JOB_ID: '15', SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4', SLURM_JOB_GPUS: '3' },
      cudaVisibleDevices: '3',
      nvidiaVisibleDevices: null,
    });
    expect(describeWorkerPlacement(placement)).toBe(
      `host ${hostname()} (slurm SLURM_JOB_ID=17 SLURM_ARRAY_JOB_ID=15 SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4 SLURM_JOB_GPUS=3), CUDA_VISIBLE_DEVICES=3`,
    );
  });

  it('records a pod of an Indexed Job and the GPU the device plugin gave it', () => {
    const placement = workerPlacement({ KUBERNETES_SERVICE_HOST: '10.0.0.1', JOB_COMPLETION_INDEX: '0', RADPROBE_SHARD_COUNT: '4', NVIDIA_VISIBLE_DEVICES: 'GPU-5d2c' });
    expect(placement.engine).toBe('kubernetes');
    expect(placement.scheduler).toEqual({ JOB_COMPLETION_INDEX: '0', RADPROBE_SHARD_COUNT: '4' });
    expect(describeWorkerPlacement(placement)).toBe(
      `host ${hostname()} (kubernetes JOB_COMPLETION_INDEX=0 RADPROBE_SHARD_COUNT=4), CUDA_VISIBLE_DEVICES unset, NVIDIA_VISIBLE_DEVICES=GPU-5d2c`,
    );
  });

  it('outside a scheduler says only the host, and an empty CUDA_VISIBLE_DEVICES (no GPU given) as it is', () => {
    const placement = workerPlacement({ CUDA_VISIBLE_DEVICES: '' });
    expect(placement).toEqual({ host: hostname(), engine: 'none', scheduler: {}, cudaVisibleDevices: '', nvidiaVisibleDevices: null });
    expect(describeWorkerPlacement(placement)).toBe(`host ${hostname()}, CUDA_VISIBLE_DEVICES=`);
  });

});
