/**
 * The error function to ~1e-15 relative (JavaScript has no Math.erf): Maclaurin series for |x| < 2.5, the
 * continued fraction of erfc beyond, where the series would lose digits to cancellation.
 */
export function erf(x: number): number {
  const magnitude = Math.abs(x);
  if (magnitude < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const contribution = term / (2 * n + 1);
      sum += contribution;
      if (Math.abs(contribution) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + ...))))), evaluated from the tail (Lentz-free).
  let fraction = magnitude;
  for (let k = 60; k >= 1; k--) fraction = magnitude + k / 2 / fraction;
  const erfc = Math.exp(-magnitude * magnitude) / Math.sqrt(Math.PI) / fraction;
  return Math.sign(x) * (1 - erfc);
}
