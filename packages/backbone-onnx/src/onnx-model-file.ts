import { open, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DataLocation, decodeModel, encodeModel, type OnnxModel, type OnnxTensor } from '@radprobe/onnx-format';
import { RadprobeError, writeFileAtomic } from '@radprobe/core';

/** A decoded model whose initializers all hold their bytes in memory, and which of them the file kept outside. */
export interface LoadedOnnxModel {
  model: OnnxModel;
  /** Initializers whose data lived in an external-data file: written back outside the graph too. */
  external: ReadonlySet<string>;
}

/** External data starts on these boundaries, as onnx's own writer aligns them (mmap-friendly). */
const EXTERNAL_ALIGNMENT = 4096;

function externalField(tensor: OnnxTensor, key: string): string | undefined {
  return tensor.externalData?.find((entry) => entry.key === key)?.value;
}

function isExternal(tensor: OnnxTensor): boolean {
  return tensor.dataLocation === DataLocation.EXTERNAL || (tensor.externalData?.length ?? 0) > 0;
}

async function readExternalBytes(tensor: OnnxTensor, modelPath: string): Promise<Uint8Array> {
  const location = externalField(tensor, 'location');
  if (location === undefined) {
    throw new RadprobeError(`${modelPath}: initializer '${tensor.name}' is external but names no location`, { file: modelPath });
  }
  const file = resolve(dirname(modelPath), location);
  const offset = Number(externalField(tensor, 'offset') ?? '0');
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw new RadprobeError(`${modelPath} keeps '${tensor.name}' in ${file}, which cannot be opened`, { file: modelPath, cause: error });
  });
  try {
    const length = Number(externalField(tensor, 'length') ?? (await handle.stat()).size - offset);
    const bytes = new Uint8Array(length);
    const { bytesRead } = await handle.read(bytes, 0, length, offset);
    if (bytesRead !== length) {
      throw new RadprobeError(`${file} ends before the ${length} bytes of '${tensor.name}' at offset ${offset}`, { file });
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/**
 * Reads and decodes an ONNX file, bringing the data of initializers kept in external-data files into memory
 * (as `rawData`), so that every initializer can be read the same way.
 */
export async function loadOnnxModel(modelPath: string): Promise<LoadedOnnxModel> {
  const bytes = await readFile(modelPath).catch((error: unknown) => {
    throw new RadprobeError(`Model file ${modelPath} cannot be read`, { file: modelPath, cause: error });
  });
  const model = decodeModel(bytes, modelPath);
  const external = new Set<string>();
  const initializer: OnnxTensor[] = [];
  for (const tensor of model.graph.initializer) {
    if (!isExternal(tensor)) {
      initializer.push(tensor);
      continue;
    }
    external.add(tensor.name);
    initializer.push({ ...tensor, externalData: undefined, dataLocation: undefined, rawData: await readExternalBytes(tensor, modelPath) });
  }
  return { model: { ...model, graph: { ...model.graph, initializer } }, external };
}

/**
 * Writes the model to `file` atomically; the initializers named in `external` go, aligned, into one data file
 * beside it (`<file name>.data`, also written atomically first), the way large models keep their weights.
 */
export async function saveOnnxModel(model: OnnxModel, external: ReadonlySet<string>, file: string): Promise<void> {
  const initializer = [...model.graph.initializer];
  if (external.size > 0) {
    const location = `${basename(file)}.data`;
    const chunks: Uint8Array[] = [];
    let size = 0;
    initializer.forEach((tensor, index) => {
      if (!external.has(tensor.name)) return;
      const data = tensor.rawData;
      if (data === undefined) throw new RadprobeError(`${file}: initializer '${tensor.name}' has no raw data to store externally`, { file });
      const padding = (EXTERNAL_ALIGNMENT - (size % EXTERNAL_ALIGNMENT)) % EXTERNAL_ALIGNMENT;
      if (padding > 0) chunks.push(new Uint8Array(padding));
      const offset = size + padding;
      chunks.push(data);
      size = offset + data.length;
      initializer[index] = {
        ...tensor,
        rawData: undefined,
        dataLocation: DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: location },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(data.length) },
        ],
      };
    });
    await writeFileAtomic(join(dirname(file), location), Buffer.concat(chunks));
  }
  await writeFileAtomic(file, encodeModel({ ...model, graph: { ...model.graph, initializer } }));
}
