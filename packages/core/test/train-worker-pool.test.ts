import { describe, expect, it } from 'vitest';
import { dataParallel, trainingBackend, type GradientModel, type ParallelTraining } from '../src/index.js';

/** What the echo model's pieces carry (fixtures/train-worker/echo-model.mjs). */
interface EchoPiece {
  values: number[];
  fail?: string;
  exit?: number;
}

const SIZE = 3;
const parallel: ParallelTraining = {
  workers: 2,
  source: { module: new URL('./fixtures/train-worker/echo-model.mjs', import.meta.url).href, exportName: 'echoGradientModel', payload: { size: SIZE } },
};

describe('data-parallel worker threads', () => {
  // The worker entry is core's build (`nx test` builds it first).
  const mainModel = async (): Promise<GradientModel<EchoPiece>> => {
    const tf = await trainingBackend();
    const variable = tf.variable(tf.zeros([SIZE]));
    return { variables: [variable], gradients: () => ({ gradients: [], losses: new Float64Array(0) }), dispose: () => variable.dispose() };
  };
  const threadsOf = (extras: Float32Array[][]) => extras.map((piece) => piece[0][0]);

  it('sums the pieces in order, and the next training takes the same threads', async () => {
    const tf = await trainingBackend();
    const model = await mainModel();
    const first = await dataParallel(tf, model, parallel);
    const step = await first.gradients([{ values: [1, 2, 3] }, { values: [10, 20, 30] }]);
    expect(Array.from(step.gradients[0].dataSync())).toEqual([11, 22, 33]);
    expect(Array.from(step.losses)).toEqual([66]);
    const threads = threadsOf(step.extras);
    expect(new Set(threads).size).toBe(2);
    tf.dispose(step.gradients);
    await first.close();

    const second = await dataParallel(tf, model, parallel);
    const again = await second.gradients([{ values: [1, 1, 1] }, { values: [2, 2, 2] }]);
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
    const threads = threadsOf((await refusing.gradients([zeros, zeros])).extras);
    await expect(refusing.gradients([zeros, { ...zeros, fail: 'bad piece' }])).rejects.toThrow('training worker 2 of 2: piece refused: bad piece');
    await refusing.close();

    // Both answered (one with an error): both train again.
    const exiting = await dataParallel(tf, model, parallel);
    const order = threadsOf((await exiting.gradients([zeros, zeros])).extras);
    expect(new Set(order)).toEqual(new Set(threads));
    await expect(exiting.gradients([{ ...zeros, exit: 3 }, zeros])).rejects.toThrow('training worker 1 of 2: exited with code 3');
    await exiting.close();

    const next = await dataParallel(tf, model, parallel);
    const after = threadsOf((await next.gradients([zeros, zeros])).extras);
    expect(after).toContain(order[1]);
    expect(after).not.toContain(order[0]);
    expect(new Set(after).size).toBe(2);
    await next.close();
    model.dispose();
  });
});
