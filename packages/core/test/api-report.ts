import ts from 'typescript';

/** One exported name of an entry point and its declaration as the published `.d.ts` states it. */
export interface ApiEntry {
  name: string;
  declaration: string;
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/**
 * The public surface of each built declaration file: every exported name with its declaration(s), comments
 * stripped and whitespace normalised by TypeScript's printer, sorted by name. A change of a signature, a member of an
 * exported interface or the set of names changes the report.
 */
export function apiReport(declarationFiles: string[]): Map<string, ApiEntry[]> {
  const program = ts.createProgram(declarationFiles, { noEmit: true, skipLibCheck: true, types: [], noLib: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  const reports = new Map<string, ApiEntry[]>();
  for (const file of declarationFiles) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!source || !moduleSymbol) throw new Error(`${file}: not a module the TypeScript compiler can read`);
    const entries = checker.getExportsOfModule(moduleSymbol).map((exported) => {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = (target.declarations ?? []).map((node) => printDeclaration(node, exported.name));
      return { name: exported.name, declaration: declarations.join('\n') };
    });
    reports.set(file, entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }
  return reports;
}

/** A declaration as written in the `.d.ts`, under its exported name (the bundler may have renamed it, e.g. `Foo$1`). */
function printDeclaration(node: ts.Node, exportedName: string): string {
  // A `declare const a: T, b: U;` statement declares several names: print only the one exported.
  const statement = ts.isVariableDeclaration(node) ? ts.factory.createVariableStatement([ts.factory.createModifier(ts.SyntaxKind.DeclareKeyword)], ts.factory.createVariableDeclarationList([node], node.parent.flags)) : node;
  const text = printer.printNode(ts.EmitHint.Unspecified, statement, node.getSourceFile());
  const localName = (node as ts.NamedDeclaration).name?.getText();
  return localName && localName !== exportedName ? text.replace(new RegExp(`\\b${localName.replace(/\$/g, '\\$')}\\b`), exportedName) : text;
}

/** The report as a reviewable text: one section per entry, each name followed by its declaration. */
export function formatApiReport(sections: Array<{ title: string; entries: ApiEntry[] }>): string {
  const lines: string[] = [];
  for (const { title, entries } of sections) {
    lines.push(`## ${title} (${entries.length} names)`, '');
    for (const entry of entries) lines.push(`### ${entry.name}`, '', '```ts', entry.declaration, '```', '');
  }
  return lines.join('\n');
}
