/**
 * Writes a parsed pattern (regex-parse.ts) out twice: as a JavaScript source for
 * `new RegExp(js, 'su')` and as a Postgres ARE for `description COLLATE "C" ~ pg`.
 *
 * Both are case-sensitive engines here: case-insensitivity is made explicit instead, by
 * giving every ASCII letter its other case ("a" → [aA], [a-c] → [a-cA-C]), which is the
 * same ASCII-only folding the other text ops use (text.ts). Every character that is not an
 * ASCII letter or digit is written as a code-point escape, so no character can mean
 * something different to the two parsers (\y is Postgres' spelling of \b; JS runs with
 * the `s` flag so `.` matches newlines as it does in Postgres, and `u` so it works on code
 * points as Postgres does). Groups are all written non-capturing.
 */
import type { CodeRange, RNode } from './regex-ast';

export interface RegexSources {
  js: string;
  pg: string;
}

type Engine = 'js' | 'pg';

const isAsciiAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAsciiLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function hex(c: number, width: number): string {
  return c.toString(16).toUpperCase().padStart(width, '0');
}

function emitChar(c: number, engine: Engine): string {
  if (isAsciiAlnum(c)) return String.fromCharCode(c);
  if (engine === 'js') return `\\u{${hex(c, 1)}}`;
  return c <= 0xffff ? `\\u${hex(c, 4)}` : `\\U${hex(c, 8)}`;
}

/** Adds the other ASCII case of every letter in the ranges, then sorts and merges them. */
export function caseClose(ranges: CodeRange[]): CodeRange[] {
  const out: CodeRange[] = ranges.map(([a, b]) => [a, b]);
  for (const [a, b] of ranges) {
    const upLo = Math.max(a, 0x41);
    const upHi = Math.min(b, 0x5a);
    if (upLo <= upHi) out.push([upLo + 32, upHi + 32]);
    const loLo = Math.max(a, 0x61);
    const loHi = Math.min(b, 0x7a);
    if (loLo <= loHi) out.push([loLo - 32, loHi - 32]);
  }
  out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: CodeRange[] = [];
  for (const r of out) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

function emitSet(negate: boolean, ranges: CodeRange[], engine: Engine): string {
  const body = caseClose(ranges)
    .map(([a, b]) => (a === b ? emitChar(a, engine) : `${emitChar(a, engine)}-${emitChar(b, engine)}`))
    .join('');
  return `[${negate ? '^' : ''}${body}]`;
}

function emitRepeat(min: number, max: number | null): string {
  if (min === 0 && max === null) return '*';
  if (min === 1 && max === null) return '+';
  if (min === 0 && max === 1) return '?';
  if (max === null) return `{${min},}`;
  return min === max ? `{${min}}` : `{${min},${max}}`;
}

function emit(n: RNode, engine: Engine): string {
  switch (n.t) {
    case 'seq':
      return n.items.map((x) => emit(x, engine)).join('');
    case 'alt':
      return n.alts.map((x) => emit(x, engine)).join('|');
    case 'char':
      return isAsciiLetter(n.cp) ? emitSet(false, [[n.cp, n.cp]], engine) : emitChar(n.cp, engine);
    case 'any':
      return '.';
    case 'set':
      return emitSet(n.negate, n.ranges, engine);
    case 'group':
      return `(?:${emit(n.body, engine)})`;
    case 'repeat':
      return `${emit(n.body, engine)}${emitRepeat(n.min, n.max)}`;
    case 'assert':
      if (n.kind === 'start') return '^';
      if (n.kind === 'end') return '$';
      if (n.kind === 'word') return engine === 'js' ? '\\b' : '\\y';
      return engine === 'js' ? '\\B' : '\\Y';
  }
}

export function emitRegex(ast: RNode): RegexSources {
  return { js: emit(ast, 'js'), pg: emit(ast, 'pg') };
}

/** The flags the JS source is compiled with. */
export const JS_REGEX_FLAGS = 'su';
