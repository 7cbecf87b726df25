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

/** Dark text on light squares, white on dark ones (relative luminance, Rec. 709 weights, threshold one half). */
export function textColourOn(background: string): string {
  const [red, green, blue] = [1, 3, 5].map((offset) => parseInt(background.slice(offset, offset + 2), 16) / 255);
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.5 ? '#111111' : '#ffffff';
}
