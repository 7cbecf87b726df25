/** What a PNG or JPEG header says about its image, without decoding a pixel. */
export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** Bits per sample (PNG: 1..16; JPEG: 8, or 12/16 for extended and lossless). */
  bitDepth: number;
  /** Samples per pixel as stored, alpha and palette indices included (a palette PNG counts 1). */
  channels: number;
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** JPEG-LS's start of frame (SOF55), laid out as the others: DICOM codestreams use it. */
const JPEG_LS_FRAME = 0xf7;

/**
 * The header of a PNG (IHDR) or JPEG (the first start-of-frame marker, JPEG-LS's included), or null when `bytes`
 * do not hold one.
 */
export function parseImageHeader(bytes: Uint8Array): ImageHeader | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 26 && view.getUint32(0) === 0x89504e47 && view.getUint32(12) === 0x49484452) {
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24], channels: PNG_CHANNELS[bytes[25]] ?? 0 };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset++;
      continue;
    }
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC) which share the range.
    if ((marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === JPEG_LS_FRAME) {
      return { format: 'jpeg', bitDepth: bytes[offset + 4], height: view.getUint16(offset + 5), width: view.getUint16(offset + 7), channels: bytes[offset + 9] };
    }
    offset += 2 + view.getUint16(offset + 2);
  }
  return null;
}
