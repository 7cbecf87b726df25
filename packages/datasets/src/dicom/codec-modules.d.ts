// The codec packages ship JavaScript without type declarations; these describe the parts radprobe calls.

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    /** Decodes the codestream at `buffer[offset, offset + length)`; samples of `numBytes` bytes, interleaved. */
    decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
    frame: { dimX: number; dimY: number; numComp: number; precision: number };
  }
}

interface EmscriptenCodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

interface EmscriptenCodecDecoder {
  /** A view of the codec's input buffer, resized to `length` bytes, to be filled before `decode()`. */
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  /** A view of the codec's output buffer (in wasm memory: copy it before the next decode). */
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): EmscriptenCodecFrameInfo;
  delete(): void;
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (module?: { print?: (text: string) => void }) => Promise<{ J2KDecoder: new () => EmscriptenCodecDecoder }>;
  export default factory;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (module?: { print?: (text: string) => void }) => Promise<{ JpegLSDecoder: new () => EmscriptenCodecDecoder & { getInterleaveMode(): number } }>;
  export default factory;
}
