/**
 * Colours of classes by their index in the dataset's class list, so that a class has one colour in every chart of
 * a page: Okabe–Ito's colour-blind-safe eight first, then six more distinct hues for larger label sets.
 */
const palette = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#b8a000', '#000000', '#8c564b', '#7f7f7f', '#17becf', '#9467bd', '#bcbd22', '#1f3a93'];

export function classColour(index: number): string {
  return palette[((index % palette.length) + palette.length) % palette.length];
}
