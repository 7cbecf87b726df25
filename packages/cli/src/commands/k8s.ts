import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RadprobeError, writeFileAtomic } from '@radprobe/core';
import { MERGED_DIR, WORKER_INDEX, cellsArgs, extractArgs, mergeScript, planScaleOut, shellWord, type ScaleOutPlan } from '../scale-out/plan.js';

export interface K8sCommandOptions {
  config: string;
  /** Extraction shards: the Indexed Job's completions. */
  completions: number;
  /** Extraction pods at a time (default: all). */
  parallelism?: number;
  cellJobs?: number;
  /** The container image (built from the repository's Dockerfile). */
  image: string;
  /** The ReadWriteMany claim that holds the config's folder: data, cache and results. */
  pvc: string;
  namespace?: string;
  /** GPUs per pod (nvidia.com/gpu). */
  gpus?: number;
  /** Prefix of the Jobs' names. */
  name: string;
  /** Where the manifests go. */
  out: string;
}

/** Where the claim is mounted in every pod, and the folder the commands run in: the config's folder. */
export const MOUNT_PATH = '/radprobe';

/** A Job manifest, as kubectl takes it (JSON: a subset of YAML, written without a YAML library). */
export type JobManifest = Record<string, unknown>;

/**
 * `radprobe k8s`: writes Kubernetes Jobs for a cluster run: an Indexed Job whose pod `i` embeds shard `i` into the
 * feature cache on the shared volume (radprobe reads JOB_COMPLETION_INDEX and RADPROBE_SHARD_COUNT), an Indexed Job
 * for the cells, and a merge Job, with `apply.sh` that applies each once the one before has completed.
 */
export async function k8sCommand(options: K8sCommandOptions): Promise<number> {
  const plan = await planScaleOut(options.config, options.completions, options.cellJobs);
  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  const manifests = k8sManifests(plan, options);
  const names = Object.keys(manifests);
  for (const [file, manifest] of Object.entries(manifests)) await writeFileAtomic(join(out, file), `${JSON.stringify(manifest, null, 2)}\n`);
  const namespace = options.namespace ? ` -n ${shellWord(options.namespace)}` : '';
  const apply = names.map((file) => {
    const job = (manifests[file].metadata as { name: string }).name;
    return `kubectl${namespace} apply -f ${file}\nkubectl${namespace} wait --for=condition=complete --timeout=-1s job/${job}`;
  });
  await writeFileAtomic(
    join(out, 'apply.sh'),
    `#!/bin/bash
# Applies the extraction Job, then the cells Job once every shard is embedded, then the merge. The claim
# ${shellWord(options.pvc)} must hold the config's folder (config, data, cache) at its root; the merged results appear in
# ${MERGED_DIR} there. Applying again after a failure resumes: shards already in the cache are not embedded again
# (delete the finished Jobs first: a Job's spec cannot be changed).
set -euo pipefail
cd "$(dirname "$0")"
${apply.join('\n')}
`,
  );
  await chmod(join(out, 'apply.sh'), 0o755);
  process.stdout.write(
    `wrote ${[...names, 'apply.sh'].map((file) => join(out, file)).join(', ')}\n` +
      `${plan.shards} extraction pod(s), then ${plan.cellJobs} cells pod(s) for the ${plan.cells} cells, then the merge, image ${options.image}, volume claim ${options.pvc}\n` +
      `apply them with: bash ${shellWord(join(out, 'apply.sh'))}\n`,
  );
  return 0;
}

/** The three Job manifests by file name, in the order they run. */
export function k8sManifests(plan: ScaleOutPlan, options: Omit<K8sCommandOptions, 'config' | 'completions' | 'cellJobs' | 'out'>): Record<string, JobManifest> {
  if (!/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/.test(options.name)) {
    throw new RadprobeError(`--name must be a Kubernetes name of at most 42 lowercase letters, digits and '-', not '${options.name}'`);
  }
  if (options.parallelism !== undefined && options.parallelism > plan.shards) {
    throw new RadprobeError(`--parallelism ${options.parallelism} is more than --completions ${plan.shards}`);
  }
  // Kubernetes expands $(NAME) in a container's args from its environment, where an Indexed Job puts the index.
  const indexed = (args: string[]) => args.map((arg) => arg.replaceAll(WORKER_INDEX, '$(JOB_COMPLETION_INDEX)'));
  const gpuLimits = options.gpus ? { resources: { limits: { 'nvidia.com/gpu': options.gpus } } } : {};
  const job = (part: string, spec: Record<string, unknown>, container: Record<string, unknown>): JobManifest => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${options.name}-${part}`, ...(options.namespace ? { namespace: options.namespace } : {}), labels: { 'app.kubernetes.io/name': 'radprobe' } },
    spec: {
      ...spec,
      // A failed pod is retried (a killed worker resumes from the cache); a config error fails every retry alike.
      backoffLimit: 3,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'radprobe', 'radprobe/part': part } },
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'radprobe', image: options.image, workingDir: MOUNT_PATH, ...container, volumeMounts: [{ name: 'work', mountPath: MOUNT_PATH }] }],
          volumes: [{ name: 'work', persistentVolumeClaim: { claimName: options.pvc } }],
        },
      },
    },
  });
  return {
    'extract-job.json': job(
      'extract',
      { completionMode: 'Indexed', completions: plan.shards, parallelism: options.parallelism ?? plan.shards },
      { command: ['radprobe'], args: extractArgs(plan), env: [{ name: 'RADPROBE_SHARD_COUNT', value: String(plan.shards) }], ...gpuLimits },
    ),
    'cells-job.json': job(
      'cells',
      { completionMode: 'Indexed', completions: plan.cellJobs, parallelism: plan.cellJobs },
      { command: ['radprobe'], args: indexed(cellsArgs(plan)), ...gpuLimits },
    ),
    'merge-job.json': job('merge', { completions: 1 }, { command: ['sh', '-c', mergeScript(plan, 'radprobe')] }),
  };
}
