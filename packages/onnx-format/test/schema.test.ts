import { describe, expect, it } from 'vitest';
import { ONNX_BUF_VERSION, ONNX_PROTO_JSON } from '../src/onnx-schema.js';
// @ts-expect-error: a plain-JS package script without declarations
import { onnxSchema } from '../scripts/onnx-schema.mjs';

describe('the committed onnx.proto schema', () => {
  it('is what scripts/onnx-schema.mjs makes from the installed onnx-buf (run `npm run schema` after bumping it)', () => {
    const { json, onnxBufVersion } = onnxSchema() as { json: unknown; onnxBufVersion: string };
    expect(ONNX_BUF_VERSION).toBe(onnxBufVersion);
    expect(ONNX_PROTO_JSON).toEqual(json);
  });
});
