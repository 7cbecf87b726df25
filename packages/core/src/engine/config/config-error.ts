import { RadprobeError } from '../util/errors.js';

/**
 * Which check found a problem: the JSON itself, the composed schema (kinds, options, names), the `${env:…}`
 * references, or what the config names on disk. An editor that already validates against the schema shows the
 * last two, which only radprobe can know.
 */
export type ConfigCheck = 'syntax' | 'schema' | 'variables' | 'files';

/** One problem in a config file, placed where an editor can underline it. */
export interface ConfigIssue {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** JSON pointer of the offending value or key; empty for syntax errors. */
  pointer: string;
  message: string;
  check?: ConfigCheck;
}

/** `radprobe.json:12:7 /protocols/0/k/1: must be integer` (syntax errors have no pointer). */
export function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.pointer === '' && issue.message.startsWith('JSON syntax error')
    ? `${where}: ${issue.message}`
    : `${where} ${issue.pointer || '(root)'}: ${issue.message}`;
}

/** Every problem of one config file, reported together. */
export class ConfigError extends RadprobeError {
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    const lines = issues.map(formatIssue);
    super(lines.length === 1 ? lines[0] : `${file}: ${lines.length} errors\n${lines.join('\n')}`, {
      file,
      pointer: issues[0]?.pointer,
    });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
