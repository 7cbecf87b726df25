import { spawn } from 'node:child_process';
import { readFile, readdir, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '@radprobe/core';
import { expectOneClearLine } from './fixtures.js';
import { runCli, temporaryDir } from './helpers.js';
import { doneRecords, expectEqualToSingleProcessRun, radprobeOnPath, writeScaleOutProject } from './scale-out-fixture.js';

interface Container {
  command: string[];
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  workingDir: string;
  volumeMounts: Array<{ name: string; mountPath: string }>;
  resources?: { limits: Record<string, number> };
}

interface Manifest {
  metadata: { name: string; namespace?: string };
  spec: {
    completionMode?: string;
    completions: number;
    parallelism?: number;
    template: { spec: { containers: Container[]; volumes: Array<{ name: string; persistentVolumeClaim: { claimName: string } }> } };
  };
}

/**
 * Runs a container's command as the kubelet would in pod `index` of the Job, with the claim's folder as `volume`:
 * the container's env plus what Kubernetes adds (the completion index of an Indexed Job, the API service host, the
 * pod's host name), `$(NAME)` in command and args expanded from that env as Kubernetes does, in its working folder.
 */
function runContainer(manifest: Manifest, index: number, volume: string, path: string): Promise<{ code: number | null; output: string }> {
  const container = manifest.spec.template.spec.containers[0];
  const env: Record<string, string> = {
    PATH: path,
    HOME: volume,
    HOSTNAME: `${manifest.metadata.name}-${index}-x7k2p`,
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    ...(manifest.spec.completionMode === 'Indexed' ? { JOB_COMPLETION_INDEX: String(index) } : {}),
    ...Object.fromEntries((container.env ?? []).map(({ name, value }) => [name, value])),
  };
  const expand = (word: string) => word.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
  const [command, ...args] = [...container.command, ...(container.args ?? [])].map(expand);
  const mount = container.volumeMounts[0].mountPath;
  const cwd = join(volume, container.workingDir.slice(mount.length));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('radprobe k8s', () => {
  let dir: string;
  let manifests: Record<string, Manifest>;
  let k8s: string;
  beforeAll(async () => {
    dir = await temporaryDir('k8s');
    await writeScaleOutProject(dir);
    k8s = join(dir, 'k8s');
    const written = await runCli(['k8s', 'radprobe.json', '--image', 'registry.example.org/radprobe:0.1.0', '--pvc', 'radiology', '--completions', '3', '--parallelism', '2', '--cell-jobs', '2', '--gpus', '1', '--namespace', 'imaging'], { cwd: dir });
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain(`apply them with: bash ${join(k8s, 'apply.sh')}`);
    manifests = Object.fromEntries(
      await Promise.all(['extract', 'cells', 'merge'].map(async (part) => [part, JSON.parse(await readFile(join(k8s, `${part}-job.json`), 'utf8')) as Manifest])),
    );
  }, 120_000);

  it('writes three Jobs that are valid batch/v1 Jobs by the official schema', () => {
    for (const manifest of Object.values(manifests)) expect(() => new Job(manifest as never).validate()).not.toThrow();
    // The validator does reject what the API server would: a count that is not an integer.
    expect(() => new Job({ ...manifests.extract, spec: { ...manifests.extract.spec, completions: '3' } } as never).validate()).toThrow('completions must be integer');
  });

  it('makes extraction an Indexed Job with the shard count in the env, mounting the claim where the commands run', () => {
    const { spec, metadata } = manifests.extract;
    expect(metadata).toMatchObject({ name: 'radprobe-extract', namespace: 'imaging' });
    expect(spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 2 });
    const container = spec.template.spec.containers[0];
    expect(container).toMatchObject({
      command: ['radprobe'],
      args: ['extract', 'radprobe.json'],
      env: [{ name: 'RADPROBE_SHARD_COUNT', value: '3' }],
      workingDir: '/radprobe',
      volumeMounts: [{ name: 'work', mountPath: '/radprobe' }],
      resources: { limits: { 'nvidia.com/gpu': 1 } },
    });
    expect(spec.template.spec.volumes).toEqual([{ name: 'work', persistentVolumeClaim: { claimName: 'radiology' } }]);
    expect(manifests.cells.spec).toMatchObject({ completionMode: 'Indexed', completions: 2 });
    expect(manifests.cells.spec.template.spec.containers[0].args).toEqual(['run', 'radprobe.json', '--cells', '$(JOB_COMPLETION_INDEX)/2', '--output', 'scale-out/runs/cells-$(JOB_COMPLETION_INDEX)']);
    expect(manifests.merge.spec.completionMode).toBeUndefined();
  });

  it('applies the Jobs in order, each after the one before completed', async () => {
    const apply = await readFile(join(k8s, 'apply.sh'), 'utf8');
    const steps = apply.split('\n').filter((line) => line.startsWith('kubectl'));
    expect(steps).toEqual(
      ['extract', 'cells', 'merge'].flatMap((part) => [
        `kubectl -n imaging apply -f ${part}-job.json`,
        `kubectl -n imaging wait --for=condition=complete --timeout=-1s job/radprobe-${part}`,
      ]),
    );
  });

  it("run pod by pod with a pod's env, the containers' commands give the results of a single-process run", async () => {
    const path = `${await radprobeOnPath(dir)}:/usr/bin:/bin`;
    for (const part of ['extract', 'cells', 'merge']) {
      const manifest = manifests[part];
      for (let index = 0; index < manifest.spec.completions; index++) {
        const pod = await runContainer(manifest, index, dir, path);
        expect(pod.code, `${part} pod ${index}: ${pod.output}`).toBe(0);
      }
    }
    // Each shard records the pod that embedded it: Kubernetes, its completion index, the shard count of its env.
    // (A cells run records the whole list as one part it found complete: not a shard of the extraction.)
    const shards = (await doneRecords(join(dir, 'cache'))).filter((record) => record.part.count === 3);
    expect(shards).toHaveLength(2 * 3);
    for (const shard of shards) {
      expect(shard.worker).toMatchObject({ engine: 'kubernetes', scheduler: { JOB_COMPLETION_INDEX: String(shard.part.index), RADPROBE_SHARD_COUNT: '3' } });
    }
    const merged = await expectEqualToSingleProcessRun(dir, join(dir, 'scale-out', 'merged'));
    expect(merged.partition).toBeUndefined();
    // Each cells pod recorded where it ran: Kubernetes, its completion index, its pod's host.
    const runs = await Promise.all(
      [0, 1].map(async (index) => {
        const folder = join(dir, 'scale-out', 'runs', `cells-${index}`);
        const [run] = (await readdir(folder)).filter((name) => !name.startsWith('.'));
        return JSON.parse(await readFile(join(folder, run, 'results.json'), 'utf8')) as RunResults;
      }),
    );
    expect(runs.map((run) => run.provenance.worker?.engine)).toEqual(['kubernetes', 'kubernetes']);
    expect(runs.map((run) => run.provenance.worker?.scheduler.JOB_COMPLETION_INDEX)).toEqual(['0', '1']);
  }, 300_000);

  it('needs an image and a claim, and refuses more pods at a time than shards', async () => {
    expectOneClearLine(await runCli(['k8s', 'radprobe.json', '--pvc', 'radiology'], { cwd: dir }), 'radprobe k8s needs --image IMAGE');
    expectOneClearLine(await runCli(['k8s', 'radprobe.json', '--image', 'radprobe:0.1.0'], { cwd: dir }), 'radprobe k8s needs --pvc CLAIM');
    expectOneClearLine(
      await runCli(['k8s', 'radprobe.json', '--image', 'radprobe:0.1.0', '--pvc', 'radiology', '--completions', '2', '--parallelism', '3'], { cwd: dir }),
      '--parallelism 3 is more than --completions 2',
    );
    expectOneClearLine(await runCli(['k8s', 'radprobe.json', '--image', 'radprobe:0.1.0', '--pvc', 'radiology', '--cell-jobs', '3'], { cwd: dir }), '--cell-jobs 3 is more than the 2 cells of');
  }, 60_000);
});

describe('the Dockerfile', () => {
  const repository = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  // No Docker daemon here: the test checks that the image is built as the README installs and that the command
  // the manifests run, `radprobe`, is on its PATH as the CLI's entry.
  it("installs as the README does and puts the CLI's bin on the PATH under the name the manifests run", async () => {
    const dockerfile = await readFile(join(repository, 'Dockerfile'), 'utf8');
    const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+ /.test(line));
    const run = instructions.filter((line) => line.startsWith('RUN ')).join('\n');
    const readme = await readFile(join(repository, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(run).toContain('npm ci --no-audit --no-fund && npm run build');
    expect(JSON.parse(await readFile(join(repository, 'package.json'), 'utf8')).scripts.build).toBe('nx run-many -t build');
    const workdir = /^WORKDIR (\S+)$/m.exec(dockerfile)![1];
    expect(instructions).toContain('COPY . .');
    expect(instructions).toContain(`ENV PATH=${workdir}/node_modules/.bin:$PATH`);
    const cli = JSON.parse(await readFile(join(repository, 'packages', 'cli', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(cli.bin)).toEqual(['radprobe']);
    // npm ci links each workspace bin into node_modules/.bin, as it did in this checkout.
    expect(await realpath(join(repository, 'node_modules', '.bin', 'radprobe'))).toBe(join(repository, 'packages', 'cli', cli.bin.radprobe));
    const dockerignore = (await readFile(join(repository, '.dockerignore'), 'utf8')).split('\n');
    expect(dockerignore).toEqual(expect.arrayContaining(['**/node_modules', '**/dist']));
  });
});
