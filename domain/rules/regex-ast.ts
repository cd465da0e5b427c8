/**
 * The AST of the regex subset (built by regex-parse.ts, written out by regex-emit.ts and
 * regex-nfa.ts), and the character classes \d \w \s as explicit code-point ranges.
 */

export type CodeRange = [number, number];

export type RNode =
  | { t: 'seq'; items: RNode[] }
  | { t: 'alt'; alts: RNode[] }
  | { t: 'char'; cp: number }
  | { t: 'any' }
  | { t: 'set'; negate: boolean; ranges: CodeRange[] }
  | { t: 'group'; body: RNode }
  | { t: 'repeat'; min: number; max: number | null; body: RNode }
  | { t: 'assert'; kind: 'start' | 'end' | 'word' | 'not_word' };

const DIGIT: CodeRange[] = [[0x30, 0x39]];
const WORD: CodeRange[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
/** Exactly JavaScript's \s (WhiteSpace and LineTerminator), written out for both engines. */
const SPACE: CodeRange[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];

export const isAsciiAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** The ranges of \d, \w or \s (a fresh copy). */
export function classRanges(letter: string): CodeRange[] {
  const r = letter === 'd' ? DIGIT : letter === 'w' ? WORD : SPACE;
  return r.map(([a, b]) => [a, b] as CodeRange);
}
