/**
 * Just enough protobuf writing to hand-build tiny ONNX files for tests (field numbers from onnx.proto), so the
 * loader's error paths can be tested without depending on another package's encoder.
 */

type Field = [field: number, value: number | string | Uint8Array];

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}

/** Encodes a message: numbers as varints, strings and bytes (nested messages) as length-delimited fields. */
export function message(...fields: Field[]): Uint8Array {
  const out: number[] = [];
  for (const [field, value] of fields) {
    if (typeof value === 'number') {
      out.push(...varint(field * 8), ...varint(value));
    } else {
      const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
      out.push(...varint(field * 8 + 2), ...varint(bytes.length), ...bytes);
    }
  }
  return Uint8Array.from(out);
}

const FLOAT = 1;
const INT64 = 7;

/** ValueInfoProto of a tensor; string dims are symbolic. */
export function tensorValue(name: string, elemType: 'float32' | 'int64', dims: (number | string)[]): Uint8Array {
  const shape = message(...dims.map((dim): Field => [1, typeof dim === 'number' ? message([1, dim]) : message([2, dim])]));
  const tensorType = message([1, elemType === 'float32' ? FLOAT : INT64], [2, shape]);
  return message([1, name], [2, message([1, tensorType])]);
}

/** A model whose graph is a single Identity node from `input` to `output` (opset 13). */
export function identityModel(elemType: 'float32' | 'int64', dims: (number | string)[]): Uint8Array {
  const node = message([1, 'x'], [2, 'y'], [4, 'Identity']);
  const graph = message([1, node], [2, 'identity'], [11, tensorValue('x', elemType, dims)], [12, tensorValue('y', elemType, dims)]);
  return message([1, 8], [7, graph], [8, message([1, ''], [2, 13])]);
}

/** A float32 initializer whose data lives in an external file. */
export function externalInitializer(name: string, dims: number[], location: string): Uint8Array {
  return message(
    ...dims.map((dim): Field => [1, dim]),
    [2, FLOAT],
    [8, name],
    [13, message([1, 'location'], [2, location])],
    [13, message([1, 'offset'], [2, '0'])],
    [14, 1],
  );
}

/** `y = x + w` with `w` a [1] initializer: the shape of a model that keeps weights outside the graph. */
export function addModel(initializer: Uint8Array): Uint8Array {
  const node = message([1, 'x'], [1, 'w'], [2, 'y'], [4, 'Add']);
  const graph = message(
    [1, node],
    [2, 'add'],
    [5, initializer],
    [11, tensorValue('x', 'float32', [1])],
    [12, tensorValue('y', 'float32', [1])],
  );
  return message([1, 8], [7, graph], [8, message([1, ''], [2, 13])]);
}
