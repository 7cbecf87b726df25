import { findNodeAtLocation, parseTree, type Segment } from 'jsonc-parser';

/** One issue of `radprobe validate --json` (core's `ConfigIssue`). */
export interface ValidateIssue {
  line: number;
  column: number;
  pointer: string;
  message: string;
  check?: 'syntax' | 'schema' | 'variables' | 'files';
}

/**
 * The issues the editor shows from `radprobe validate --json`: unset `${env:…}` variables and what the config
 * names on disk, which only radprobe can know. Syntax and schema problems are left out: VS Code's JSON support
 * already reports them against `radprobe schema`'s schema, and a missing kind has its own diagnostic with quick fixes.
 */
export function issuesForEditor(stdout: string): ValidateIssue[] {
  let report: { issues?: unknown };
  try {
    report = JSON.parse(stdout) as { issues?: unknown };
  } catch (error) {
    throw new Error(`radprobe validate --json did not print JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(report.issues)) throw new Error('radprobe validate --json printed no "issues" list');
  return (report.issues as ValidateIssue[]).filter((issue) => issue.check === 'variables' || issue.check === 'files');
}

/** A JSON pointer's segments (`/datasets/0/root` → ['datasets', 0, 'root']), `~1` and `~0` unescaped. */
export function pointerSegments(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment));
}

/**
 * Where an issue goes in the config's current text: the whole value at its pointer (e.g. the string of a dataset's
 * `root`), found again in the text as it is now, so that an edit since the check moves the mark with the value.
 * Null when the text no longer has that value.
 */
export function issueSpan(text: string, pointer: string): { offset: number; length: number } | null {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const node = root && findNodeAtLocation(root, pointerSegments(pointer));
  return node ? { offset: node.offset, length: node.length } : null;
}
