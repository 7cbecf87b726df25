/** The three lists of a run config, each filled by plugins contributing kinds. */
export type ComponentSection = 'backbones' | 'datasets' | 'protocols';

export const componentSections: readonly ComponentSection[] = ['backbones', 'datasets', 'protocols'];

/** `protocols` → `protocol`, for messages. */
export function sectionNoun(section: ComponentSection): string {
  return section.slice(0, -1);
}
