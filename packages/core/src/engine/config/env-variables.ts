import { escapePointerSegment } from './json-source.js';

/** A reference that could not be substituted, at the JSON pointer of the string holding it. */
export interface VariableIssue {
  pointer: string;
  message: string;
}

const REFERENCE = /\$\{env:([^}]*)\}/g;
const REFERENCE_BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Replaces `${env:NAME}` and `${env:NAME:-default}` in every string value (keys are left alone), with the shell's
 * meaning: `:-` falls back when the variable is unset or empty; without it, an unset variable is an issue and an
 * empty one substitutes as empty. Presets are shared files, so a missing variable must be reported where it is
 * used rather than become the text "undefined" in a path.
 */
export function substituteEnvVariables(data: unknown, env: NodeJS.ProcessEnv): { value: unknown; issues: VariableIssue[] } {
  const issues: VariableIssue[] = [];
  const visit = (node: unknown, pointer: string): unknown => {
    if (typeof node === 'string') return substituteInString(node, pointer, env, issues);
    if (Array.isArray(node)) return node.map((child, index) => visit(child, `${pointer}/${index}`));
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, visit(child, `${pointer}/${escapePointerSegment(key)}`)]));
    }
    return node;
  };
  const value = visit(data, '');
  return { value, issues };
}

function substituteInString(text: string, pointer: string, env: NodeJS.ProcessEnv, issues: VariableIssue[]): string {
  return text.replace(REFERENCE, (reference: string, body: string) => {
    const parsed = REFERENCE_BODY.exec(body);
    if (!parsed) {
      issues.push({ pointer, message: `malformed variable reference '${reference}': expected \${env:NAME} or \${env:NAME:-default}, NAME of letters, digits and '_'` });
      return reference;
    }
    const [, name, fallback] = parsed;
    const value = env[name];
    if (fallback !== undefined) return value === undefined || value === '' ? fallback : value;
    if (value === undefined) {
      issues.push({ pointer, message: `environment variable ${name} is not set (used as '${reference}'; write \${env:${name}:-default} for a fallback)` });
      return reference;
    }
    return value;
  });
}

/**
 * Where the variables in a config string came from, for a message about the value they made:
 * `NIH_ROOT=/data/nih`, or `NIH_ROOT unset, its default used`. Empty when the string uses none.
 */
export function describeVariables(text: string, env: NodeJS.ProcessEnv): string {
  const parts = [...text.matchAll(REFERENCE)].flatMap(([, body]) => {
    const parsed = REFERENCE_BODY.exec(body);
    if (!parsed) return [];
    const [, name, fallback] = parsed;
    const value = env[name];
    return [fallback !== undefined && (value === undefined || value === '') ? `${name} unset, its default used` : `${name}=${value ?? ''}`];
  });
  return [...new Set(parts)].join(', ');
}
