import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { PLUGIN_KINDS, kindNameProblem, scaffoldPlugin, type PluginKind } from './scaffold.js';

export const USAGE = `usage: npm create radprobe-plugin -- [--kind backbone|protocol|dataset] [--name <kind name>] [--package <npm name>] [folder]

Writes a radprobe plugin package into folder (default: the package name). What is not given as a flag is asked for,
when a terminal is attached; without one, --kind and --name are required.`;

interface Io {
  /** Asks a question on the terminal; null when there is none (a pipe, CI). */
  ask: ((question: string) => Promise<string>) | null;
  print(line: string): void;
}

/** A terminal's question-and-answer, or null when stdin is not one. */
export function terminalQuestions(): Io['ask'] {
  if (!process.stdin.isTTY) return null;
  return async (question) => {
    const terminal = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return (await terminal.question(question)).trim();
    } finally {
      terminal.close();
    }
  };
}

async function askUntilValid(io: Io, flag: string, question: string, problem: (answer: string) => string | null): Promise<string> {
  if (!io.ask) throw new Error(`--${flag} is required when no terminal is attached\n\n${USAGE}`);
  for (;;) {
    const answer = await io.ask(question);
    const why = problem(answer);
    if (!why) return answer;
    io.print(why);
  }
}

const kindProblem = (kind: string) => ((PLUGIN_KINDS as readonly string[]).includes(kind) ? null : `"${kind}" is not one of ${PLUGIN_KINDS.join(', ')}`);

/** `create-radprobe-plugin args…`: returns the exit code. */
export async function main(args: string[], cwd: string, io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { kind: { type: 'string' }, name: { type: 'string' }, package: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.print(USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new Error(`one folder at most, got ${positionals.join(', ')}\n\n${USAGE}`);
  const kind = (values.kind ?? (await askUntilValid(io, 'kind', `kind of plugin (${PLUGIN_KINDS.join(' / ')}): `, kindProblem))) as PluginKind;
  const kindError = kindProblem(kind);
  if (kindError) throw new Error(`--kind: ${kindError}`);
  const name = values.name ?? (await askUntilValid(io, 'name', 'kind name configs will use (e.g. radiomics): ', kindNameProblem));
  const packageName = values.package ?? `radprobe-${kind}-${name}`;
  const dir = resolve(cwd, positionals[0] ?? packageName.replace(/^@[^/]+\//, ''));
  const files = await scaffoldPlugin({ kind, name, dir, packageName });
  io.print(`wrote ${packageName} in ${dir}: ${files.join(', ')}`);
  io.print(`next: cd ${dir} && npm install && npm run build && npm test`);
  return 0;
}
