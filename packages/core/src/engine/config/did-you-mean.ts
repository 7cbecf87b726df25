/**
 * Damerau–Levenshtein distance (optimal string alignment): insertions, deletions, substitutions and
 * transpositions of adjacent characters each cost 1.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `input`, ignoring case, when it is close enough to be a likely typo: at most a third
 * of the longer word's letters (and at least one) differ. Ties go to the earlier candidate.
 */
export function closestMatch(input: string, candidates: readonly string[]): string | null {
  const needle = input.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(needle.length, candidate.length) / 3));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The first candidate that `input` names by whole words (`nih` → `nih-chestxray14`, `tumor-mri` →
 * `brain-tumor-mri`), ignoring case and taking `_` for `-`: kind names join words with dashes, and people type the
 * part they remember.
 */
export function wholeWordMatch(input: string, candidates: readonly string[]): string | null {
  const words = (text: string) => `-${text.toLowerCase().replace(/_/g, '-')}-`;
  const needle = words(input);
  return needle.length > 2 ? (candidates.find((candidate) => words(candidate).includes(needle)) ?? null) : null;
}
