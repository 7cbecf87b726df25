import { RadprobeError } from '@radprobe/core';

/** One body part of a multipart message: its headers (lower-case names) and its bytes. */
export interface BodyPart {
  headers: Record<string, string>;
  body: Uint8Array;
}

/** The `boundary` parameter of a multipart Content-Type (quoted or not), or an error naming `source`. */
export function boundaryOf(contentType: string, source: string): string {
  const match = /;\s*boundary=("([^"]+)"|[^;\s]+)/i.exec(contentType);
  if (!/^multipart\//i.test(contentType.trim()) || !match) {
    throw new RadprobeError(`${source}: expected a multipart/related answer with a boundary, got Content-Type "${contentType}"`, { file: source });
  }
  return match[2] ?? match[1];
}

/**
 * Splits a multipart body (RFC 2046) into its parts: each part starts after a `--boundary` line and ends at the
 * CRLF before the next delimiter; the preamble and the epilogue are ignored. The body bytes are searched for the
 * delimiter as bytes, never decoded as text: a DICOM part is binary.
 */
export function parseMultipart(bytes: Uint8Array, contentType: string, source: string): BodyPart[] {
  const boundary = boundaryOf(contentType, source);
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: BodyPart[] = [];
  let at = data.indexOf(delimiter);
  if (at < 0) throw new RadprobeError(`${source}: multipart answer without its boundary "${boundary}"`, { file: source });
  for (;;) {
    let start = at + delimiter.length;
    if (data[start] === 0x2d && data[start + 1] === 0x2d) break;
    start = skipLineEnd(data, start);
    const next = data.indexOf(delimiter, start);
    if (next < 0) throw new RadprobeError(`${source}: multipart answer truncated (no closing boundary)`, { file: source });
    const end = data[next - 2] === 0x0d && data[next - 1] === 0x0a ? next - 2 : data[next - 1] === 0x0a ? next - 1 : next;
    parts.push(parsePart(data.subarray(start, end), source));
    at = next;
  }
  return parts;
}

function skipLineEnd(data: Buffer, from: number): number {
  // The rest of the delimiter line may hold transport padding (spaces) before its CRLF.
  const lineEnd = data.indexOf(0x0a, from);
  return lineEnd < 0 ? data.length : lineEnd + 1;
}

function parsePart(part: Buffer, source: string): BodyPart {
  // No headers at all: the part starts with the blank line.
  if (part[0] === 0x0d && part[1] === 0x0a) return { headers: {}, body: new Uint8Array(part.buffer, part.byteOffset + 2, part.length - 2) };
  const crlf = part.indexOf('\r\n\r\n', 0, 'latin1');
  const lf = part.indexOf('\n\n', 0, 'latin1');
  const [headerEnd, bodyStart] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, crlf + 4] : lf >= 0 ? [lf, lf + 2] : [-1, -1];
  if (headerEnd < 0) throw new RadprobeError(`${source}: multipart part without a blank line after its headers`, { file: source });
  const headers: Record<string, string> = {};
  for (const line of part.subarray(0, headerEnd).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: new Uint8Array(part.buffer, part.byteOffset + bodyStart, part.length - bodyStart) };
}
