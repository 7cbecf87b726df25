import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dataParallel, trainingBackend, type GradientModel, type GradientModelFactory, type ParallelTraining } from '../src/index.js';

/** What the echo model's pieces carry (fixtures/train-worker/echo-model.mjs). */
interface EchoPiece {
  values: number[];
  fail?: string;
  exit?: number;
}

const SIZE = 3;
const ECHO_MODEL = new URL('./fixtures/train-worker/echo-model.mjs', import.meta.url).href;
/** This thread and two worker threads. */
const parallel: ParallelTraining = { workers: 3, source: { module: ECHO_MODEL, exportName: 'echoGradientModel', payload: { size: SIZE } } };

describe('data-parallel worker threads', () => {
  // The worker entry is core's build (`nx test` builds it first).
  /** This thread's copy of the echo model. */
  const mainModel = async (): Promise<GradientModel<EchoPiece>> => {
    const { echoGradientModel } = (await import(ECHO_MODEL)) as { echoGradientModel: GradientModelFactory<EchoPiece> };
    return echoGradientModel(await trainingBackend(), { size: SIZE } as never);
  };
  const threadsOf = (extras: Float32Array[][]) => extras.map((piece) => piece[0][0]);

  it('computes the first piece on this thread and the others on worker threads, sums them, and the next training takes the same threads', async () => {
    const tf = await trainingBackend();
    const model = await mainModel();
    const first = await dataParallel(tf, model, parallel);
    const step = await first.gradients([{ values: [1, 2, 3] }, { values: [10, 20, 30] }, { values: [100, 200, 300] }]);
    expect(Array.from(step.gradients[0].dataSync())).toEqual([111, 222, 333]);
    expect(Array.from(step.losses)).toEqual([666]);
    const threads = threadsOf(step.extras);
    // The main thread's id is 0.
    expect(threads[0]).toBe(0);
    expect(new Set(threads).size).toBe(3);
    tf.dispose(step.gradients);
    // Fewer pieces than workers (a short last batch): the first workers take them.
    const short = await first.gradients([{ values: [1, 1, 1] }]);
    expect(threadsOf(short.extras)).toEqual([0]);
    expect(Array.from(short.gradients[0].dataSync())).toEqual([1, 1, 1]);
    tf.dispose(short.gradients);
    await first.close();

    const second = await dataParallel(tf, model, parallel);
    const again = await second.gradients([{ values: [1, 1, 1] }, { values: [2, 2, 2] }, { values: [3, 3, 3] }]);
    expect(new Set(threadsOf(again.extras))).toEqual(new Set(threads));
    tf.dispose(again.gradients);
    await second.close();
    model.dispose();
  });

  it('names the worker that failed, keeps a thread that answered, and never hands on a thread that ended', async () => {
    const tf = await trainingBackend();
    const model = await mainModel();
    const zeros = { values: [0, 0, 0] };
    const refusing = await dataParallel(tf, model, parallel);
    const threads = threadsOf((await refusing.gradients([zeros, zeros, zeros])).extras);
    await expect(refusing.gradients([zeros, zeros, { ...zeros, fail: 'bad piece' }])).rejects.toThrow('training worker 3 of 3: piece refused: bad piece');
    await refusing.close();

    // Both worker threads answered (one with an error): both train again.
    const exiting = await dataParallel(tf, model, parallel);
    const order = threadsOf((await exiting.gradients([zeros, zeros, zeros])).extras);
    expect(new Set(order)).toEqual(new Set(threads));
    await expect(exiting.gradients([zeros, { ...zeros, exit: 3 }, zeros])).rejects.toThrow('training worker 2 of 3: exited with code 3');
    await exiting.close();

    const next = await dataParallel(tf, model, parallel);
    const after = threadsOf((await next.gradients([zeros, zeros, zeros])).extras);
    expect(after).toContain(order[2]);
    expect(after).not.toContain(order[1]);
    expect(new Set(after).size).toBe(3);
    await next.close();
    model.dispose();
  });
});

describe('training workers under V8 flags', () => {
  it('start when the process runs with a V8 flag that a worker may not take', () => {
    // The built core, as a user's process loads it, under `node --single-threaded-gc`.
    const script = `
      import { dataParallel, trainingBackend } from '@radprobe/core';
      const { echoGradientModel } = await import(${JSON.stringify(ECHO_MODEL)});
      const tf = await trainingBackend();
      const model = echoGradientModel(tf, { size: 1 });
      const pool = await dataParallel(tf, model, { workers: 2, source: { module: ${JSON.stringify(ECHO_MODEL)}, exportName: 'echoGradientModel', payload: { size: 1 } } });
      const step = await pool.gradients([{ values: [1] }, { values: [2] }]);
      // Not console.log: it colours numbers when FORCE_COLOR is set, as Nx sets it for its tasks.
      process.stdout.write(String(step.gradients[0].dataSync()[0]));
      await pool.close();
    `;
    const out = execFileSync(process.execPath, ['--single-threaded-gc', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
    expect(out.trim()).toBe('3');
  });
});
