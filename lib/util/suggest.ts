import { distance } from 'fastest-levenshtein';

/**
 * The closest candidate to `word`, if it is close enough to be a plausible
 * typo (distance at most a third of the word's length, and at least 1).
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.floor(word.length / 3));
  const lower = word.toLowerCase();
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) > limit) continue;
    const other = c.toLowerCase();
    const d = other === lower ? 0 : swapsTwoLetters(lower, other) ? 1 : distance(lower, other);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `emial` for `email`: two neighbouring letters swapped, one typo (Levenshtein counts two). */
function swapsTwoLetters(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff: number[] = [];
  for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
  return diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]];
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const m = closestMatch(word, candidates);
  return m !== undefined && m !== word ? `Did you mean '${m}'?` : undefined;
}
