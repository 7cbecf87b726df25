/** How the pixel data of a transfer syntax is stored. */
export type PixelEncoding = 'native' | 'jpeg-baseline' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg-2000' | 'rle';

export interface TransferSyntax {
  uid: string;
  name: string;
  encoding: PixelEncoding;
  /** Byte order of native pixel data (compressed codestreams carry their own). */
  littleEndian: boolean;
}

const SYNTAXES: TransferSyntax[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', encoding: 'native', littleEndian: true },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', encoding: 'native', littleEndian: true },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', encoding: 'native', littleEndian: true },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', encoding: 'native', littleEndian: false },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', encoding: 'jpeg-baseline', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless, Non-Hierarchical (Process 14)', encoding: 'jpeg-lossless', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless, First-Order Prediction (Process 14, SV1)', encoding: 'jpeg-lossless', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', encoding: 'jpeg-ls', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 (Lossless Only)', encoding: 'jpeg-2000', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', encoding: 'jpeg-2000', littleEndian: true },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', encoding: 'rle', littleEndian: true },
];

export const IMPLICIT_VR_LITTLE_ENDIAN = SYNTAXES[0].uid;
export const EXPLICIT_VR_LITTLE_ENDIAN = SYNTAXES[1].uid;
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = SYNTAXES[2].uid;

const BY_UID = new Map(SYNTAXES.map((syntax) => [syntax.uid, syntax]));

/** The transfer syntax of a UID, or null when radprobe cannot decode its pixel data. */
export function transferSyntaxOf(uid: string): TransferSyntax | null {
  return BY_UID.get(uid) ?? null;
}

/** The UIDs radprobe decodes, for messages. */
export function supportedTransferSyntaxes(): string {
  return SYNTAXES.map((syntax) => `${syntax.uid} (${syntax.name})`).join(', ');
}
