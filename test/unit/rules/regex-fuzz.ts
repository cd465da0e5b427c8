/**
 * A seeded generator of random patterns inside the accepted regex subset, and of random
 * texts over an alphabet that stresses case folding, non-ASCII, astral code points,
 * newlines and word boundaries. Used to check that the native RegExp, the linear NFA and
 * Postgres all give the same answers.
 */
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const LITERALS = ['a', 'A', 'b', 'B', '1', ' ', '-', 'é', 'É', '😀', '_', '\\.', '\\n', '\\u00e9', '\\x41', '\\-', '\\ '];
const CLASSES = ['.', '[a-c]', '[^a]', '[A-B1]', '\\d', '\\w', '\\s', '\\D', '\\W', '\\S', '[^\\s]', '[é-ê]', '[\\-_]', '[^\\w]'];
const ANCHORS = ['^', '$', '\\b', '\\B'];
const QUANTS = ['*', '+', '?', '{1,3}', '{2}', '{0,2}', '*?', '{2,}'];

function seq(r: () => number, depth: number, quantOk: boolean): string {
  const n = 1 + Math.floor(r() * 4);
  let out = '';
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.12) {
      out += pick(r, ANCHORS);
      continue;
    }
    let atom: string;
    let hasQuant = false;
    let hasAlt = false;
    if (k < 0.25 && depth < 2) {
      const inner = r() < 0.5 || !quantOk ? alt(r, depth + 1, false) : seq(r, depth + 1, false);
      hasAlt = inner.includes('|');
      hasQuant = /[*+?}]/.test(inner.replace(/\\./g, ''));
      atom = `(${r() < 0.5 ? '?:' : ''}${inner})`;
    } else {
      atom = k < 0.6 ? pick(r, LITERALS) : pick(r, CLASSES);
    }
    if (quantOk && !hasAlt && !hasQuant && r() < 0.35) atom += pick(r, QUANTS);
    out += atom;
  }
  return out;
}

function alt(r: () => number, depth: number, quantOk: boolean): string {
  const n = r() < 0.7 ? 1 : 2;
  return Array.from({ length: n }, () => seq(r, depth, quantOk)).join('|');
}

export function randomPattern(r: () => number): string {
  return alt(r, 0, true);
}

const TEXT_CHARS = ['a', 'A', 'b', 'B', 'c', '1', '2', ' ', '-', 'é', 'É', '😀', '\n', '_', '.', '\u00a0', 'x'];

export function randomText(r: () => number, maxLen = 10): string {
  const n = Math.floor(r() * (maxLen + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += pick(r, TEXT_CHARS);
  return s;
}
