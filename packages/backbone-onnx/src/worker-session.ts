import { Worker } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import type { OutputTensor } from './split-tokens.js';

/** An output of a run, as the worker hands it over. */
export interface WorkerOutput extends OutputTensor {
  type: string;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * An onnxruntime session that lives in a worker thread (session-worker.js). onnxruntime-node's `run` blocks the
 * thread that calls it for the whole inference; with the session in a worker, the main thread reads, decodes and
 * preprocesses the next batch meanwhile (extraction's prefetch), instead of after. Same model file, same session
 * options, same inputs: the same outputs, bit for bit, as a session on the main thread.
 *
 * The worker holds the process open only while a request is waiting for it: an extraction stopped by an error or a
 * cancellation that never disposes its backbone still lets Node exit.
 */
export class WorkerSession {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  private metadata: { inputMetadata: InferenceSession.ValueMetadata[]; outputMetadata: InferenceSession.ValueMetadata[] } = {
    inputMetadata: [],
    outputMetadata: [],
  };

  private constructor(private readonly worker: Worker) {
    this.listen();
  }

  /** Starts a worker and opens `modelPath` in it; rejects with onnxruntime's message when the file cannot be loaded. */
  static async open(modelPath: string, options: InferenceSession.SessionOptions): Promise<WorkerSession> {
    const session = new WorkerSession(new Worker(new URL('./session-worker.js', import.meta.url)));
    try {
      session.metadata = (await session.request({ kind: 'create', modelPath, options })) as WorkerSession['metadata'];
      return session;
    } catch (error) {
      await session.worker.terminate();
      throw error;
    }
  }

  get inputMetadata(): readonly InferenceSession.ValueMetadata[] {
    return this.metadata.inputMetadata;
  }

  get outputMetadata(): readonly InferenceSession.ValueMetadata[] {
    return this.metadata.outputMetadata;
  }

  /** Runs the model on one float32 input (copied to the worker; the caller keeps its buffer). */
  async run(inputName: string, data: Float32Array, dims: readonly number[], fetches: readonly string[]): Promise<Record<string, WorkerOutput>> {
    return (await this.request({ kind: 'run', inputName, data, dims: [...dims], fetches: [...fetches] })) as Record<string, WorkerOutput>;
  }

  /** Releases the session and stops the worker. */
  async release(): Promise<void> {
    try {
      if (!this.failure) await this.request({ kind: 'release' });
    } finally {
      this.failure ??= new Error('the onnxruntime session was released');
      await this.worker.terminate();
    }
  }

  private listen(): void {
    this.worker.unref();
    this.worker.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.settled(message.id);
      if (message.error !== undefined) waiting.reject(new Error(message.error));
      else waiting.resolve(message.result);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const [id, waiting] of this.pending) {
        this.settled(id);
        waiting.reject(error);
      }
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the onnxruntime worker thread stopped (exit code ${code})`)));
  }

  private request(message: Record<string, unknown>): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }
}
