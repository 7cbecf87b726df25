import { inflateRawSync } from 'node:zlib';
import dicomParser, { type DataSet } from 'dicom-parser';
import { checkDeclaredSize, RadprobeError, type DecodeLimits } from '@radprobe/core';
import {
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  supportedTransferSyntaxes,
  transferSyntaxOf,
  type TransferSyntax,
} from './transfer-syntax.js';

/** What radprobe reads from a DICOM header: the pixel module, the modality LUT, the window and the geometry. */
export interface DicomHeader {
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  photometric: string;
  /** 0: samples interleaved per pixel; 1: one plane per sample. */
  planarConfiguration: 0 | 1;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  signed: boolean;
  frames: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** First value of Window Center / Width (0028,1050 / 0028,1051) when both are present. */
  window?: { center: number; width: number };
  seriesInstanceUid?: string;
  patientId?: string;
  instanceNumber?: number;
  /** Image Position (Patient) (0020,0032), mm. */
  position?: [number, number, number];
  /** Image Orientation (Patient) (0020,0037): row direction cosines, then column direction cosines. */
  orientation?: [number, number, number, number, number, number];
  /** Pixel Spacing (0028,0030): between rows, then between columns, mm. */
  pixelSpacing?: [number, number];
}

/** A parsed DICOM file: its header and the parser's data set (which locates the pixel data). */
export interface DicomFile {
  source: string;
  syntax: TransferSyntax;
  header: DicomHeader;
  dataSet: DataSet;
  /** The limits its header was checked against, which its frames' codecs obey too. */
  limits: DecodeLimits;
}

const PREAMBLE_LENGTH = 128;
/** What a deflated data set may inflate to besides its pixel data (the byte cap): its other elements. */
const DATA_SET_ALLOWANCE_MIB = 16;
const MIB = 2 ** 20;
const MAGIC = 'DICM';
const FILE_META_GROUP = 0x0002;
const IDENTIFYING_GROUP = 0x0008;
/** Value representations of PS3.5 table 6.2-1: two letters here after the first tag mean explicit VR. */
const VALUE_REPRESENTATIONS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

const TAGS = {
  transferSyntax: 'x00020010',
  rows: 'x00280010',
  columns: 'x00280011',
  samplesPerPixel: 'x00280002',
  photometric: 'x00280004',
  planarConfiguration: 'x00280006',
  frames: 'x00280008',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  pixelRepresentation: 'x00280103',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  seriesInstanceUid: 'x0020000e',
  patientId: 'x00100020',
  instanceNumber: 'x00200013',
  position: 'x00200032',
  orientation: 'x00200037',
  pixelSpacing: 'x00280030',
  pixelData: 'x7fe00010',
} as const;

/** Whether the bytes are DICOM: a Part 10 file (`DICM` after the 128-byte preamble) or a bare data set. */
export function isDicom(bytes: Uint8Array): boolean {
  return hasMagic(bytes) || bareDataSetStart(bytes) !== null;
}

/**
 * Parses a DICOM file's header (pixel data is located, not decoded). Throws a RadprobeError naming the file when
 * it is not DICOM, has no image, uses a transfer syntax radprobe cannot decode, has pixel attributes it cannot, or
 * declares rows × columns × frames beyond `limits`.
 */
export function parseDicomFile(bytes: Uint8Array, source: string, limits: DecodeLimits): DicomFile {
  const dataSet = parseDataSet(bytes, source, limits);
  const uid = dataSet.string(TAGS.transferSyntax) ?? readInlineSyntax(dataSet);
  const syntax = transferSyntaxOf(uid);
  if (!syntax) {
    throw new RadprobeError(`${source}: unsupported DICOM transfer syntax ${uid} (supported: ${supportedTransferSyntaxes()})`, { file: source });
  }
  if (!dataSet.elements[TAGS.pixelData]) throw new RadprobeError(`${source}: DICOM file without pixel data (7FE0,0010)`, { file: source });
  return { source, syntax, header: readHeader(dataSet, source, limits), dataSet, limits };
}

function hasMagic(bytes: Uint8Array): boolean {
  if (bytes.length < PREAMBLE_LENGTH + MAGIC.length) return false;
  for (let index = 0; index < MAGIC.length; index++) if (bytes[PREAMBLE_LENGTH + index] !== MAGIC.charCodeAt(index)) return false;
  return true;
}

/**
 * How a data set without preamble starts: with the file meta group, or with an identifying-group element in
 * explicit or implicit VR little endian (PS3.5 A.1: a bare data set is implicit VR LE, but explicit ones occur).
 */
function bareDataSetStart(bytes: Uint8Array): 'meta' | 'explicit' | 'implicit' | null {
  if (bytes.length < 8) return null;
  const group = bytes[0] | (bytes[1] << 8);
  if (group === FILE_META_GROUP) return 'meta';
  if (group !== IDENTIFYING_GROUP) return null;
  return VALUE_REPRESENTATIONS.has(String.fromCharCode(bytes[4], bytes[5])) ? 'explicit' : 'implicit';
}

function parseDataSet(bytes: Uint8Array, source: string, limits: DecodeLimits): DataSet {
  let parsable = bytes;
  let assumedSyntax: string | undefined;
  if (!hasMagic(bytes)) {
    const start = bareDataSetStart(bytes);
    if (start === null) {
      throw new RadprobeError(`${source}: not a DICOM file (no "DICM" at byte 128 and no data set at the start)`, { file: source });
    }
    if (start === 'meta') {
      parsable = new Uint8Array(PREAMBLE_LENGTH + MAGIC.length + bytes.length);
      parsable.set(Buffer.from(MAGIC, 'latin1'), PREAMBLE_LENGTH);
      parsable.set(bytes, PREAMBLE_LENGTH + MAGIC.length);
    } else {
      assumedSyntax = start === 'explicit' ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN;
    }
  }
  // Deflated explicit VR LE: the data set after the file meta group is one raw deflate stream (PS3.5 A.5). It
  // holds the pixel data, so it inflates no further than the byte cap allows: a bomb stops there.
  const maxMiB = limits.maxDecodedMiB + DATA_SET_ALLOWANCE_MIB;
  const inflater = (data: Uint8Array, position: number): Uint8Array => {
    let inflated: Buffer;
    try {
      inflated = inflateRawSync(data.subarray(position), { maxOutputLength: maxMiB * MIB });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
      throw new RadprobeError(
        `${source}: the deflated data set inflates past ${maxMiB} MiB, above the decode limit of ${limits.maxDecodedMiB} MiB of pixel data ` +
          `(and ${DATA_SET_ALLOWANCE_MIB} MiB for the other elements); if the file is genuine, raise "decodeLimits.maxDecodedMiB" in the config`,
        { file: source, pointer: '/decodeLimits/maxDecodedMiB' },
      );
    }
    const whole = new Uint8Array(position + inflated.length);
    whole.set(data.subarray(0, position), 0);
    whole.set(inflated, position);
    return whole;
  };
  try {
    return dicomParser.parseDicom(parsable, { TransferSyntaxUID: assumedSyntax, inflater });
  } catch (error) {
    if (error instanceof RadprobeError) throw error;
    throw new RadprobeError(`${source}: corrupt DICOM (${parserMessage(error)})`, { file: source, cause: error });
  }
}

/** dicom-parser throws strings, Errors, or `{ exception, dataSet }` wrappers. */
function parserMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'exception' in error) return parserMessage((error as { exception: unknown }).exception);
  return String(error);
}

/** Without a file meta group the parser keeps the syntax it was told to assume as an inline value. */
function readInlineSyntax(dataSet: DataSet): string {
  const element = dataSet.elements[TAGS.transferSyntax] as { Value?: string } | undefined;
  return element?.Value ?? IMPLICIT_VR_LITTLE_ENDIAN;
}

function readHeader(dataSet: DataSet, source: string, limits: DecodeLimits): DicomHeader {
  const required = (tag: string, name: string): number => {
    const value = dataSet.uint16(tag);
    if (value === undefined) throw new RadprobeError(`${source}: DICOM image without ${name} (${tagName(tag)})`, { file: source });
    return value;
  };
  const rows = required(TAGS.rows, 'Rows');
  const columns = required(TAGS.columns, 'Columns');
  const bitsAllocated = required(TAGS.bitsAllocated, 'Bits Allocated');
  const samplesPerPixel = dataSet.uint16(TAGS.samplesPerPixel) ?? 1;
  const photometric = (dataSet.string(TAGS.photometric) ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')).toUpperCase();
  const unsupported = (what: string) => new RadprobeError(`${source}: unsupported DICOM image: ${what}`, { file: source });
  if (bitsAllocated !== 8 && bitsAllocated !== 16) throw unsupported(`Bits Allocated ${bitsAllocated} (radprobe reads 8 and 16)`);
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) throw unsupported(`Samples per Pixel ${samplesPerPixel} (radprobe reads 1 and 3)`);
  if (samplesPerPixel === 1 && photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') {
    throw unsupported(`Photometric Interpretation ${photometric} with one sample per pixel (radprobe reads MONOCHROME1 and MONOCHROME2)`);
  }
  if (rows === 0 || columns === 0) throw unsupported(`${rows} rows × ${columns} columns`);
  const bitsStored = dataSet.uint16(TAGS.bitsStored) ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) throw unsupported(`Bits Stored ${bitsStored} with Bits Allocated ${bitsAllocated}`);
  const windowCenter = dataSet.floatString(TAGS.windowCenter, 0);
  const windowWidth = dataSet.floatString(TAGS.windowWidth, 0);
  const header: DicomHeader = {
    rows,
    columns,
    samplesPerPixel,
    photometric,
    planarConfiguration: dataSet.uint16(TAGS.planarConfiguration) === 1 ? 1 : 0,
    bitsAllocated,
    bitsStored,
    signed: dataSet.uint16(TAGS.pixelRepresentation) === 1,
    frames: Math.max(1, dataSet.intString(TAGS.frames) ?? 1),
    rescaleSlope: finiteOr(dataSet.floatString(TAGS.rescaleSlope), 1),
    rescaleIntercept: finiteOr(dataSet.floatString(TAGS.rescaleIntercept), 0),
  };
  checkDeclaredSize(
    source,
    {
      description: `a ${rows}×${columns} DICOM image, ${header.frames} frame(s) of ${samplesPerPixel} sample(s) of ${bitsAllocated} bits`,
      pixels: rows * columns,
      bytes: rows * columns * samplesPerPixel * (bitsAllocated / 8) * header.frames,
    },
    limits,
  );
  if (isFiniteNumber(windowCenter) && isFiniteNumber(windowWidth) && windowWidth > 0) header.window = { center: windowCenter, width: windowWidth };
  const seriesInstanceUid = dataSet.string(TAGS.seriesInstanceUid);
  if (seriesInstanceUid) header.seriesInstanceUid = seriesInstanceUid;
  const patientId = dataSet.string(TAGS.patientId);
  if (patientId) header.patientId = patientId;
  const instanceNumber = dataSet.intString(TAGS.instanceNumber);
  if (isFiniteNumber(instanceNumber)) header.instanceNumber = instanceNumber;
  const position = numbers(dataSet, TAGS.position, 3);
  if (position) header.position = position as DicomHeader['position'];
  const orientation = numbers(dataSet, TAGS.orientation, 6);
  if (orientation) header.orientation = orientation as DicomHeader['orientation'];
  const pixelSpacing = numbers(dataSet, TAGS.pixelSpacing, 2);
  if (pixelSpacing) header.pixelSpacing = pixelSpacing as DicomHeader['pixelSpacing'];
  return header;
}

/** The `count` values of a multi-valued decimal string, or undefined when absent or malformed. */
function numbers(dataSet: DataSet, tag: string, count: number): number[] | undefined {
  if (!dataSet.elements[tag] || dataSet.numStringValues(tag) !== count) return undefined;
  const values = Array.from({ length: count }, (_, index) => dataSet.floatString(tag, index));
  return values.every(isFiniteNumber) ? (values as number[]) : undefined;
}

function isFiniteNumber(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value);
}

function finiteOr(value: number | undefined, fallback: number): number {
  return isFiniteNumber(value) ? value : fallback;
}

function tagName(tag: string): string {
  return `${tag.slice(1, 5).toUpperCase()},${tag.slice(5).toUpperCase()}`;
}
