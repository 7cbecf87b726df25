import { createScanner, parseTree, printParseErrorCode, stripComments, type Node, type ParseError, type SyntaxKind } from 'jsonc-parser';

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

const syntaxMessages: Record<string, string> = {
  InvalidSymbol: 'invalid symbol',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'property name expected (a trailing comma?)',
  ValueExpected: 'value expected',
  ColonExpected: "':' expected",
  CommaExpected: "',' expected",
  CloseBraceExpected: "'}' expected",
  CloseBracketExpected: "']' expected",
  EndOfFileExpected: 'end of file expected',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

/**
 * How deep a config may nest. Real configs stay under ten levels; far deeper text is refused before it is parsed,
 * because the parser and every walk over the value recurse and would exhaust the stack.
 */
export const MAX_NESTING = 64;

/** The scanner's tokens read here (`SyntaxKind` is a const enum, which this build cannot read at run time). */
const TOKEN = {
  openBrace: 1 satisfies SyntaxKind.OpenBraceToken,
  closeBrace: 2 satisfies SyntaxKind.CloseBraceToken,
  openBracket: 3 satisfies SyntaxKind.OpenBracketToken,
  closeBracket: 4 satisfies SyntaxKind.CloseBracketToken,
  comma: 5 satisfies SyntaxKind.CommaToken,
  colon: 6 satisfies SyntaxKind.ColonToken,
  string: 10 satisfies SyntaxKind.StringLiteral,
  end: 17 satisfies SyntaxKind.EOF,
};

/**
 * Where `text` first nests deeper than `MAX_NESTING`: the offset of the opening bracket and the JSON pointer of
 * the value it opens; null when it never does. Read with the scanner, which does not recurse.
 */
export function excessiveNesting(text: string): { offset: number; pointer: string } | null {
  const scanner = createScanner(text, true);
  const open: Array<{ array: boolean; key: string; index: number }> = [];
  let lastString = '';
  for (let token: number = scanner.scan(); token !== TOKEN.end; token = scanner.scan()) {
    const top = open.at(-1);
    if (token === TOKEN.openBrace || token === TOKEN.openBracket) {
      if (open.length === MAX_NESTING) {
        const pointer = open.map((container) => `/${container.array ? container.index : escapePointerSegment(container.key)}`).join('');
        return { offset: scanner.getTokenOffset(), pointer };
      }
      open.push({ array: token === TOKEN.openBracket, key: '', index: 0 });
    } else if (token === TOKEN.closeBrace || token === TOKEN.closeBracket) {
      open.pop();
    } else if (token === TOKEN.string) {
      lastString = scanner.getTokenValue();
    } else if (token === TOKEN.colon && top && !top.array) {
      top.key = lastString;
    } else if (token === TOKEN.comma && top?.array) {
      top.index++;
    }
  }
  return null;
}

/**
 * A JSON text parsed with node offsets, so that every value and key can be traced to its line and column. With
 * `comments`, `//` and block comments are allowed (JSONC, for `.jsonc` files); trailing commas never are.
 */
export class JsonSource {
  readonly root: Node | undefined;
  readonly syntaxErrors: Array<{ offset: number; message: string }>;
  /** Where the text nests deeper than `MAX_NESTING` (it is then left unparsed), or null. */
  readonly tooDeep: { offset: number; pointer: string } | null;
  private readonly lineStarts: number[];

  constructor(
    readonly text: string,
    private readonly options: { comments: boolean } = { comments: false },
  ) {
    const errors: ParseError[] = [];
    this.tooDeep = excessiveNesting(text);
    const parseOptions = { disallowComments: !options.comments, allowTrailingComma: false, allowEmptyContent: false };
    this.root = this.tooDeep ? undefined : parseTree(text, errors, parseOptions);
    this.syntaxErrors = errors.map((error) => {
      const code = printParseErrorCode(error.error);
      return { offset: error.offset, message: `JSON syntax error: ${syntaxMessages[code] ?? code}` };
    });
    this.lineStarts = [0];
    for (let index = 0; index < text.length; index++) if (text[index] === '\n') this.lineStarts.push(index + 1);
  }

  /** The parsed value; only meaningful when there are no syntax errors. */
  value(): unknown {
    return JSON.parse(this.options.comments ? stripComments(this.text) : this.text) as unknown;
  }

  position(offset: number): SourcePosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low] + 1 };
  }

  /**
   * Offset of the value at a JSON pointer (or of its key, for `at: 'key'`); when the pointer leads nowhere,
   * the offset of the deepest value on its way.
   */
  offsetOf(pointer: string, at: 'value' | 'key' = 'value'): number {
    let node = this.root;
    let keyNode: Node | undefined;
    for (const segment of pointerSegments(pointer)) {
      if (!node) break;
      const next = childAt(node, segment);
      if (!next) break;
      keyNode = next.key;
      node = next.value;
    }
    if (at === 'key' && keyNode) return keyNode.offset;
    return node?.offset ?? 0;
  }

  /** Pointers of keys that appear twice in the same object (JSON.parse would silently keep the last). */
  duplicateKeys(): Array<{ pointer: string; key: string; offset: number }> {
    const duplicates: Array<{ pointer: string; key: string; offset: number }> = [];
    const visit = (node: Node, pointer: string) => {
      if (node.type === 'object') {
        const seen = new Set<string>();
        for (const property of node.children ?? []) {
          const [keyNode, valueNode] = property.children ?? [];
          if (!keyNode) continue;
          const key = String(keyNode.value);
          const childPointer = `${pointer}/${escapePointerSegment(key)}`;
          if (seen.has(key)) duplicates.push({ pointer: childPointer, key, offset: keyNode.offset });
          seen.add(key);
          if (valueNode) visit(valueNode, childPointer);
        }
      } else if (node.type === 'array') {
        (node.children ?? []).forEach((child, index) => visit(child, `${pointer}/${index}`));
      }
    };
    if (this.root) visit(this.root, '');
    return duplicates;
  }
}

function childAt(node: Node, segment: string): { key?: Node; value: Node } | null {
  if (node.type === 'array') {
    const child = /^\d+$/.test(segment) ? node.children?.[Number(segment)] : undefined;
    return child ? { value: child } : null;
  }
  if (node.type !== 'object') return null;
  for (const property of node.children ?? []) {
    const [keyNode, valueNode] = property.children ?? [];
    if (keyNode?.value === segment) return { key: keyNode, value: valueNode ?? keyNode };
  }
  return null;
}

/** The value at a JSON pointer in parsed data, or undefined where the pointer leads nowhere. */
export function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const segment of pointerSegments(pointer)) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
