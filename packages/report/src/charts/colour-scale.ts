/** Viridis at five stops: perceptually even and readable in grey and by colour-blind readers. */
const stops: ReadonlyArray<readonly [number, number, number]> = [
  [0x44, 0x01, 0x54],
  [0x3b, 0x52, 0x8b],
  [0x21, 0x91, 0x8c],
  [0x5e, 0xc9, 0x62],
  [0xfd, 0xe7, 0x25],
];

/** The colour of `value` on a scale from `min` (dark purple) to `max` (yellow), as `#rrggbb`; mid-scale when min = max. */
export function heatColour(value: number, min: number, max: number): string {
  const position = max > min ? Math.min(1, Math.max(0, (value - min) / (max - min))) : 0.5;
  const scaled = position * (stops.length - 1);
  const lower = Math.min(Math.floor(scaled), stops.length - 2);
  const fraction = scaled - lower;
  const channels = stops[lower].map((channel, index) => Math.round(channel + (stops[lower + 1][index] - channel) * fraction));
  return `#${channels.map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance of a `#rrggbb` colour (sRGB channels linearised, Rec. 709 weights). */
export function relativeLuminance(colour: string): number {
  const [red, green, blue] = [1, 3, 5].map((offset) => {
    const channel = parseInt(colour.slice(offset, offset + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
}

/** WCAG contrast ratio of two `#rrggbb` colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (lighter + 0.05) / (darker + 0.05);
}

/**
 * Black or white, whichever contrasts more with the square's colour (by relative luminance, not by the gamma-encoded
 * channels: those put white text on mid-scale green at 3.5:1). Every colour then gets at least 4.58:1, WCAG's 4.5:1
 * for text, whatever the editor's or the page's theme.
 */
export function textColourOn(background: string): string {
  return contrastRatio(background, '#000000') >= contrastRatio(background, '#ffffff') ? '#000000' : '#ffffff';
}
