import { listStore, pullModel, type ModelVariant } from '@radprobe/backbone-onnx';
import { progressLine } from '../reporters/progress-line.js';

/** `radprobe model pull <name>`: downloads an ONNX export (and its configs) from the hub into the model store. */
export async function modelPullCommand(options: { name: string; store: string; variant?: ModelVariant; revision?: string }): Promise<number> {
  const startedAt = Date.now();
  const interactive = Boolean(process.stderr.isTTY);
  let lastLogged = 0;
  const { modelPath } = await pullModel(options.name, {
    storeDir: options.store,
    variant: options.variant,
    revision: options.revision,
    onProgress: ({ file, bytesDone: done, bytesTotal: total }) => {
      const now = Date.now();
      if (!interactive && done < total && now - lastLogged < 2000) return;
      lastLogged = now;
      const line = progressLine(`${file} (MiB)`, Math.round(done / 2 ** 20), Math.round(total / 2 ** 20), startedAt, now);
      process.stderr.write(interactive ? `\r\x1b[K${line}${done >= total ? '\n' : ''}` : `${line}\n`);
    },
  });
  process.stdout.write(`${options.name} is in the model store: ${modelPath}\nuse it in a config as { "kind": "onnx", "model": "${options.name}" }\n`);
  return 0;
}

/** `radprobe model ls`: what the model store holds. */
export async function modelListCommand(options: { store: string; json: boolean }): Promise<number> {
  const models = await listStore(options.store);
  if (options.json) process.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
  else if (models.length === 0) process.stdout.write(`the model store at ${options.store} is empty: radprobe model pull dinov2-small\n`);
  else for (const model of models) process.stdout.write(`${JSON.stringify(model)}\n`);
  return 0;
}
