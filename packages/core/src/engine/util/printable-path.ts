/** Escapes that a reader knows; other control characters are shown by their code. */
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A path (or any text naming files) as it can be shown in a terminal, a log or a report: control characters (a
 * newline, a terminal escape sequence), bidirectional overrides and lone surrogates are escaped (`\n`, `\x1b`,
 * `\u202e`), so a file name can neither forge lines of output nor drive the terminal. A Buffer is a path as Linux
 * stores it, bytes: UTF-8 sequences show as their characters, any other byte (a Latin-1 `é` is 0xe9) as `\xe9`.
 */
export function printablePath(path: string | Buffer): string {
  return typeof path === 'string' ? escapeText(path) : escapeBytes(path);
}

function escapeText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (character) => {
    const code = character.charCodeAt(0);
    return NAMED_ESCAPES[character] ?? (code < 0x80 ? `\\x${hex(code)}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/** Decodes the valid UTF-8 runs of `bytes` and escapes every byte outside them. */
function escapeBytes(bytes: Buffer): string {
  let text = '';
  let runStart = 0;
  let at = 0;
  while (at < bytes.length) {
    const length = utf8SequenceLength(bytes, at);
    if (length > 0) {
      at += length;
      continue;
    }
    text += escapeText(bytes.toString('utf8', runStart, at)) + `\\x${hex(bytes[at])}`;
    at++;
    runStart = at;
  }
  return text + escapeText(bytes.toString('utf8', runStart, at));
}

/** Length of the well-formed UTF-8 sequence at `at` (RFC 3629: no overlongs, surrogates or code points past U+10FFFF), else 0. */
function utf8SequenceLength(bytes: Buffer, at: number): number {
  const first = bytes[at];
  if (first < 0x80) return 1;
  const continuation = (offset: number, low = 0x80, high = 0xbf) => at + offset < bytes.length && bytes[at + offset] >= low && bytes[at + offset] <= high;
  if (first >= 0xc2 && first <= 0xdf) return continuation(1) ? 2 : 0;
  if (first >= 0xe0 && first <= 0xef) {
    const [low, high] = first === 0xe0 ? [0xa0, 0xbf] : first === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (first >= 0xf0 && first <= 0xf4) {
    const [low, high] = first === 0xf0 ? [0x90, 0xbf] : first === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

function hex(code: number): string {
  return code.toString(16).padStart(2, '0');
}
