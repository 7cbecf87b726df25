import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';

export type ConfigSection = 'backbones' | 'datasets' | 'protocols';

/** An entry of a config's `backbones`, `datasets` or `protocols`, with where it sits in the text. */
export interface ConfigEntryLocation {
  section: ConfigSection;
  index: number;
  kind: string;
  /** The entry's name as radprobe resolves it: `name`, else the default radprobe gives it. */
  name: string;
  /** Offset and length of the whole entry object. */
  offset: number;
  length: number;
  /** Offset and length of the `kind` value, where a problem with the kind is shown. */
  kindOffset: number;
  kindLength: number;
}

const sections: readonly ConfigSection[] = ['backbones', 'datasets', 'protocols'];

function stringProperty(entry: Node, key: string): Node | undefined {
  const node = findNodeAtLocation(entry, [key]);
  return node?.type === 'string' ? node : undefined;
}

/**
 * Finds the entries of a config's three lists in its text (comments and trailing commas allowed, as radprobe
 * reads configs). An entry without a string `kind` is left out: validation reports it. Default names follow radprobe's
 * rule (a backbone's model file name without extension, else the kind) so that CodeLenses match results.
 */
export function configEntryLocations(text: string): ConfigEntryLocation[] {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root) return [];
  const found: ConfigEntryLocation[] = [];
  for (const section of sections) {
    const list = findNodeAtLocation(root, [section]);
    if (list?.type !== 'array') continue;
    (list.children ?? []).forEach((entry, index) => {
      if (entry.type !== 'object') return;
      const kindNode = stringProperty(entry, 'kind');
      if (!kindNode) return;
      const kind = kindNode.value as string;
      const explicit = stringProperty(entry, 'name')?.value as string | undefined;
      found.push({
        section,
        index,
        kind,
        name: explicit ?? defaultName(section, kind, entry),
        offset: entry.offset,
        length: entry.length,
        kindOffset: kindNode.offset,
        kindLength: kindNode.length,
      });
    });
  }
  return found;
}

function defaultName(section: ConfigSection, kind: string, entry: Node): string {
  if (section !== 'backbones') return kind;
  const model = stringProperty(entry, 'model')?.value as string | undefined;
  if (!model) return kind;
  const base = model.split(/[\\/]/).pop() ?? model;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
