/**
 * The classes of a segmentation set as messages name them, label value and name: all of them when there are few
 * (`0 background, 1 lung`), else the first and the last (`0 background … 13 left adrenal gland`).
 */
export function describeClasses(names: readonly string[], values: readonly number[] = names.map((_, index) => index)): string {
  const named = names.map((name, index) => `${values[index]} ${name}`);
  return named.length <= 4 ? named.join(', ') : `${named[0]} … ${named[named.length - 1]}`;
}
