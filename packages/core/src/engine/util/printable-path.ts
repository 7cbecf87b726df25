/** C0 and C1 control characters and DEL: a newline, or the start of a terminal escape sequence. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** A UTF-16 surrogate without its pair: what is left of bytes that were not UTF-8. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A path (or any name read from disk) safe to print on a terminal. Linux file names are bytes: one can hold a
 * newline that forges a line of output, or an escape code that recolours or retitles the terminal. Those print as
 * `\n` and `\xNN`, and a broken UTF-16 sequence as U+FFFD.
 */
export function printablePath(path: string): string {
  return path
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(CONTROL, (character) => (character === '\n' ? '\\n' : `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
