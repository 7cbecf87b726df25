/**
 * PNG scanline filters (PNG spec, section 9) undone in place. `scanlines` holds `height` rows of one filter-type
 * byte followed by `rowBytes` filtered bytes, exactly as inflated from the IDAT stream; each row is restored from
 * itself and the already restored row above (zeros above the first row). Predictors work on bytes, `pixelBytes`
 * apart (1 for bit depths below 8). Stores into a Uint8Array wrap modulo 256, which is the filters' arithmetic.
 * Returns false on a filter type other than 0..4.
 */
export function unfilterScanlines(scanlines: Uint8Array, rowBytes: number, height: number, pixelBytes: number): boolean {
  const stride = rowBytes + 1;
  for (let row = 0, at = 1; row < height; row++, at += stride) {
    const filter = scanlines[at - 1];
    const above = at - stride;
    if (filter === 0) continue;
    if (filter === 1) unfilterSub(scanlines, at, rowBytes, pixelBytes);
    else if (filter === 2) {
      if (row > 0) unfilterUp(scanlines, at, above, rowBytes);
    } else if (filter === 3) {
      if (row > 0) unfilterAverage(scanlines, at, above, rowBytes, pixelBytes);
      else unfilterAverageFirstRow(scanlines, at, rowBytes, pixelBytes);
    } else if (filter === 4) {
      // With a zero row above, Paeth always predicts the left byte: it is Sub.
      if (row > 0) unfilterPaeth(scanlines, at, above, rowBytes, pixelBytes);
      else unfilterSub(scanlines, at, rowBytes, pixelBytes);
    } else {
      return false;
    }
  }
  return true;
}

function unfilterSub(bytes: Uint8Array, at: number, count: number, pixelBytes: number): void {
  const end = at + count;
  if (pixelBytes === 1) {
    // The running left byte stays in a local: re-reading the byte just stored stalls on every byte.
    for (let index = at + 1, left = bytes[at]; index < end; index++) bytes[index] = left = (bytes[index] + left) & 0xff;
    return;
  }
  for (let index = at + pixelBytes; index < end; index++) bytes[index] += bytes[index - pixelBytes];
}

function unfilterUp(bytes: Uint8Array, at: number, above: number, count: number): void {
  for (let index = 0; index < count; index++) bytes[at + index] += bytes[above + index];
}

function unfilterAverageFirstRow(bytes: Uint8Array, at: number, count: number, pixelBytes: number): void {
  const end = at + count;
  for (let index = at + pixelBytes; index < end; index++) bytes[index] += bytes[index - pixelBytes] >> 1;
}

function unfilterAverage(bytes: Uint8Array, at: number, above: number, count: number, pixelBytes: number): void {
  const lead = Math.min(pixelBytes, count);
  for (let index = 0; index < lead; index++) bytes[at + index] += bytes[above + index] >> 1;
  if (pixelBytes === 1) {
    for (let index = 1, left = bytes[at]; index < count; index++) {
      bytes[at + index] = left = (bytes[at + index] + ((left + bytes[above + index]) >> 1)) & 0xff;
    }
    return;
  }
  for (let index = lead; index < count; index++) {
    bytes[at + index] += (bytes[at + index - pixelBytes] + bytes[above + index]) >> 1;
  }
}

function unfilterPaeth(bytes: Uint8Array, at: number, above: number, count: number, pixelBytes: number): void {
  const lead = Math.min(pixelBytes, count);
  // Left and upper-left are zero for the first pixel: the predictor is the byte above.
  for (let index = 0; index < lead; index++) bytes[at + index] += bytes[above + index];
  if (pixelBytes === 1) {
    unfilterPaethSingleByte(bytes, at, above, count);
    return;
  }
  for (let index = lead; index < count; index++) {
    bytes[at + index] += paethPredictor(bytes[at + index - pixelBytes], bytes[above + index], bytes[above + index - pixelBytes]);
  }
}

/** Paeth on one-byte pixels (8-bit gray, packed depths), with the left neighbours kept in locals as in Sub. */
function unfilterPaethSingleByte(bytes: Uint8Array, at: number, above: number, count: number): void {
  let left = bytes[at];
  let upLeft = bytes[above];
  for (let index = 1; index < count; index++) {
    const up = bytes[above + index];
    left = (bytes[at + index] + paethPredictor(left, up, upLeft)) & 0xff;
    bytes[at + index] = left;
    upLeft = up;
  }
}

/**
 * For p = left + up - upLeft: |p - left| = |up - upLeft|, |p - up| = |left - upLeft|, and their signed sum gives
 * |p - upLeft|. The choice is made with sign masks, as noisy images make branches mispredict constantly.
 */
function paethPredictor(left: number, up: number, upLeft: number): number {
  const towardsUp = up - upLeft;
  const towardsLeft = left - upLeft;
  const distanceLeft = absolute(towardsUp);
  const distanceUp = absolute(towardsLeft);
  const distanceUpLeft = absolute(towardsUp + towardsLeft);
  const notLeft = ((distanceUp - distanceLeft) | (distanceUpLeft - distanceLeft)) >> 31;
  const notUp = (distanceUpLeft - distanceUp) >> 31;
  const upOrUpLeft = upLeft ^ ((up ^ upLeft) & ~notUp);
  return left ^ ((left ^ upOrUpLeft) & notLeft);
}

function absolute(value: number): number {
  const sign = value >> 31;
  return (value ^ sign) - sign;
}
