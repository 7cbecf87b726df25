/**
 * Python's and numpy's `round`: halves go to the even neighbour. Split positions and crop offsets use it so that
 * they match the study's Python code (and torchvision's CenterCrop) exactly.
 */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}
