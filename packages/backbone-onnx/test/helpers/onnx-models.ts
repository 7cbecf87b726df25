import { DataLocation, TensorDataType, encodeModel, tensorValueInfo, type OnnxGraph, type OnnxTensor } from '@radprobe/onnx-format';

/** Tiny ONNX files for the loader's tests, built with @radprobe/onnx-format (opset 13). */
function modelBytes(graph: Omit<OnnxGraph, 'valueInfo'>): Uint8Array {
  return encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], metadataProps: [], graph: { ...graph, valueInfo: [] } });
}

/** A model whose graph is a single Identity node from `x` to `y`; string dims are symbolic. */
export function identityModel(elemType: TensorDataType, dims: (number | string)[]): Uint8Array {
  return modelBytes({
    name: 'identity',
    node: [{ opType: 'Identity', input: ['x'], output: ['y'], attribute: [] }],
    initializer: [],
    input: [tensorValueInfo('x', elemType, dims)],
    output: [tensorValueInfo('y', elemType, dims)],
  });
}

/** A float32 initializer whose data lives at the start of an external file. */
export function externalInitializer(name: string, dims: number[], location: string): OnnxTensor {
  return {
    name,
    dataType: TensorDataType.FLOAT,
    dims,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: '0' },
    ],
    dataLocation: DataLocation.EXTERNAL,
  };
}

/** `y = x + w` with `w` a [1] initializer: the shape of a model that keeps weights outside the graph. */
export function addModel(initializer: OnnxTensor): Uint8Array {
  return modelBytes({
    name: 'add',
    node: [{ opType: 'Add', input: ['x', initializer.name], output: ['y'], attribute: [] }],
    initializer: [initializer],
    input: [tensorValueInfo('x', TensorDataType.FLOAT, [1])],
    output: [tensorValueInfo('y', TensorDataType.FLOAT, [1])],
  });
}
