import { RadprobeError } from '@radprobe/core';

/** One record of a CSV file with the line it starts on (1-based, the header being line 1). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

export interface CsvTable {
  /** Header cells, trimmed. */
  header: string[];
  records: CsvRecord[];
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Parses RFC 4180 CSV (quoted fields with `""` escapes and embedded newlines, CRLF or LF, optional BOM) in one
 * pass over the text. Blank lines are dropped. The first record is the header.
 */
export function parseCsv(text: string, file: string): CsvTable {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let index = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== '') records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
  };
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE && cell === '') {
      const opened = line;
      index++;
      for (;;) {
        if (index >= text.length) throw new RadprobeError(`${file}:${opened}: quoted field is never closed`, { file });
        const quoted = text.charCodeAt(index);
        if (quoted === QUOTE) {
          if (text.charCodeAt(index + 1) === QUOTE) {
            cell += '"';
            index += 2;
            continue;
          }
          index++;
          break;
        }
        if (quoted === LF) line++;
        cell += text[index];
        index++;
      }
      continue;
    }
    if (code === COMMA) {
      cells.push(cell);
      cell = '';
      index++;
    } else if (code === LF || code === CR) {
      endRecord();
      index += code === CR && text.charCodeAt(index + 1) === LF ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      const next = nextSpecial(text, index);
      cell += text.slice(index, next);
      index = next;
    }
  }
  if (cell !== '' || cells.length > 0) endRecord();
  const [head, ...body] = records;
  if (!head) throw new RadprobeError(`${file}: empty CSV file (a header row is required)`, { file });
  return { header: head.cells.map((name) => name.trim()), records: body };
}

function nextSpecial(text: string, from: number): number {
  let index = from;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === COMMA || code === LF || code === CR) return index;
    index++;
  }
  return index;
}

/** Index of each named column; a missing required column is an error naming the file and the header found. */
export function columnIndex(table: CsvTable, file: string, required: string[], optional: string[] = []): Record<string, number> {
  const columns: Record<string, number> = {};
  table.header.forEach((name, index) => {
    if (name in columns && [...required, ...optional].includes(name)) {
      throw new RadprobeError(`${file}: column "${name}" appears twice in the header`, { file });
    }
    columns[name] ??= index;
  });
  const missing = required.filter((name) => !(name in columns));
  if (missing.length > 0) {
    throw new RadprobeError(`${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((name) => `"${name}"`).join(', ')} (header: ${table.header.join(',')})`, { file });
  }
  return columns;
}
