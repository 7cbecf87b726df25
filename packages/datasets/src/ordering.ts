/**
 * Orders strings by UTF-16 code units: unlike `localeCompare`, the result does not depend on the machine's
 * locale, so item order (and with it every split and seed-driven draw) is the same everywhere.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Items in id order. */
export function sortById<T extends { id: string }>(items: T[]): T[] {
  return items.sort((a, b) => compareStrings(a.id, b.id));
}
