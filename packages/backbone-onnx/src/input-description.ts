import { RadprobeError, type BackboneContext, type BackboneInputDescription } from '@radprobe/core';
import { TensorDataType, readGraphSignature, type OnnxValueInfo } from '@radprobe/onnx-format';
import { readHfModelConfig } from './hf-config.js';
import { resolveModel } from './model-store.js';
import type { OnnxBackboneOptions } from './onnx-backbone.js';
import { findManifest } from './onnx-manifest.js';
import { inferTokenLayout, type GraphValue } from './token-layout.js';

/** onnxruntime's names of the element types, which the layout checks are written against. */
const ELEMENT_TYPES: Partial<Record<number, string>> = {
  [TensorDataType.FLOAT]: 'float32',
  [TensorDataType.FLOAT16]: 'float16',
  [TensorDataType.DOUBLE]: 'float64',
  [TensorDataType.UINT8]: 'uint8',
  [TensorDataType.INT8]: 'int8',
  [TensorDataType.INT32]: 'int32',
  [TensorDataType.INT64]: 'int64',
  [TensorDataType.BOOL]: 'bool',
};

function graphValue(value: OnnxValueInfo): GraphValue {
  const tensor = value.type?.tensorType;
  if (!tensor) return { name: value.name, type: undefined, shape: [] };
  return { name: value.name, type: ELEMENT_TYPES[tensor.elemType] ?? `type ${tensor.elemType}`, shape: (tensor.shape ?? []).map((dim) => dim.dimValue ?? dim.dimParam ?? '?') };
}

/** Runs `step`, giving a RadprobeError without a pointer the pointer of the option it is about. */
async function atOption<T>(pointer: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof RadprobeError && error.pointer === undefined) throw new RadprobeError(error.message, { file: error.file, pointer, cause: error });
    throw error;
  }
}

/**
 * What an `onnx` entry's model takes, from the same files and layout rules as `create`, with the graph's inputs and
 * outputs read from the file instead of an onnxruntime session.
 */
export async function describeOnnxInput(options: OnnxBackboneOptions, context: BackboneContext): Promise<BackboneInputDescription> {
  const modelPath = await atOption('/model', () => resolveModel(options.model, context.modelStoreDir, context.baseDir));
  const { manifest, file: manifestFile } = await atOption('/manifest', () => findManifest(modelPath, options.manifest, context.baseDir));
  const hfConfig = await readHfModelConfig(modelPath);
  const signature = await atOption('/model', () => readGraphSignature(modelPath));
  const layout = await atOption('/model', async () =>
    inferTokenLayout({
      modelPath,
      inputs: signature.inputs.map(graphValue),
      outputs: signature.outputs.map(graphValue),
      hfConfig,
      manifest,
      manifestFile,
      overrides: { inputSize: options.inputSize },
    }),
  );
  return {
    fixedSize: layout.dynamicInputSize ? null : layout.inputSize,
    patchSize: layout.patchSize,
    normalization: layout.normalization,
    sizeSource: `input "${layout.inputName}" of ${modelPath}`,
  };
}
