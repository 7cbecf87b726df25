import type { ComponentEntry } from '../../contracts/config.js';
import { componentSections, sectionNoun, type ComponentSection } from '../plugins/sections.js';

/** The name an entry goes by: its own, else a backbone's model file name without extension, else its kind. */
export function defaultEntryName(section: ComponentSection, entry: ComponentEntry): string {
  if (typeof entry.name === 'string') return entry.name;
  if (section === 'backbones' && typeof entry.model === 'string' && entry.model !== '') {
    const base = entry.model.split(/[\\/]/).pop()!;
    const dot = base.lastIndexOf('.');
    return dot > 0 ? base.slice(0, dot) : base;
  }
  return entry.kind;
}

/** Names used twice within a list, with the pointer of the second use and of the first. */
export function duplicateEntryNames(
  config: Record<string, unknown>,
): Array<{ pointer: string; message: string }> {
  const duplicates: Array<{ pointer: string; message: string }> = [];
  for (const section of componentSections) {
    const list = config[section];
    if (!Array.isArray(list)) continue;
    const firstUse = new Map<string, string>();
    list.forEach((entry: unknown, index) => {
      if (!entry || typeof entry !== 'object' || typeof (entry as ComponentEntry).kind !== 'string') return;
      const name = defaultEntryName(section, entry as ComponentEntry);
      const pointer = `/${section}/${index}`;
      const first = firstUse.get(name);
      if (first === undefined) {
        firstUse.set(name, pointer);
        return;
      }
      duplicates.push({
        pointer: typeof (entry as ComponentEntry).name === 'string' ? `${pointer}/name` : pointer,
        message: `duplicate ${sectionNoun(section)} name '${name}' (also ${first}); give each entry a distinct "name"`,
      });
    });
  }
  return duplicates;
}

/** Fills every entry's `name` with its default. */
export function fillEntryNames(config: Record<ComponentSection, ComponentEntry[]>): void {
  for (const section of componentSections) {
    for (const entry of config[section]) entry.name = defaultEntryName(section, entry);
  }
}
