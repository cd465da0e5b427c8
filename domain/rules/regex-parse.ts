/**
 * A strict parser for the regex subset the rule language accepts. Patterns are written in
 * JavaScript syntax; everything whose meaning differs between JavaScript and Postgres
 * AREs is refused here with a message saying why, and the rest becomes a small AST from
 * which regex-emit.ts writes one source for each engine.
 *
 * Accepted: literals, `.`, classes `[...]`/`[^...]` with ranges, \d \w \s (and \D \W \S
 * outside classes), \b \B, ^ $, groups `(...)` `(?:...)`, alternation, quantifiers * + ? {n} {n,} {n,m} (lazy forms accepted: only whether a row
 * matches is asked, so greediness cannot change the answer), escapes \t \n \r \f \v \xHH
 * \uHHHH and backslash-quoted punctuation.
 * Refused: lookahead and lookbehind (the language stays regular, so a linear-time automaton
 * can always answer: see regex-nfa.ts; combine conditions with `not` instead), named groups, backreferences, inline flags, \p{…}, \cX, \0, octal,
 * POSIX classes, empty classes, unescaped { } ] outside their syntax.
 */
import { classRanges, isAsciiAlnum, type CodeRange, type RNode } from './regex-ast';

export type { CodeRange, RNode } from './regex-ast';

/** Largest n or m in {n}, {n,}, {n,m}: Postgres refuses counts above 255; we stay well below. */
export const MAX_REPEAT_COUNT = 100;

export class RegexSyntaxError extends Error {}

const cp = (c: string): number => c.codePointAt(0)!;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined): boolean =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

class Parser {
  private i = 0;
  private readonly s: number[];

  constructor(source: string) {
    this.s = Array.from(source, cp);
  }

  parse(): RNode {
    const node = this.alternation();
    if (this.i < this.s.length) this.fail('unmatched ")"; a literal ) must be escaped as \\)');
    return node;
  }

  private fail(message: string): never {
    throw new RegexSyntaxError(`${message} (at character ${this.i + 1})`);
  }

  private peek(offset = 0): number | undefined {
    return this.s[this.i + offset];
  }

  private alternation(): RNode {
    const alts = [this.sequence()];
    while (this.peek() === cp('|')) {
      this.i++;
      alts.push(this.sequence());
    }
    return alts.length === 1 ? alts[0] : { t: 'alt', alts };
  }

  private sequence(): RNode {
    const items: RNode[] = [];
    for (let c = this.peek(); c !== undefined && c !== cp('|') && c !== cp(')'); c = this.peek()) {
      items.push(this.term());
    }
    return { t: 'seq', items };
  }

  private term(): RNode {
    const atom = this.atom();
    const q = this.quantifier();
    if (!q) return atom;
    if (atom.t === 'assert') this.fail('an anchor or word boundary cannot be repeated');
    return { t: 'repeat', min: q.min, max: q.max, body: atom };
  }

  private atom(): RNode {
    const c = this.peek()!;
    const ch = String.fromCodePoint(c);
    switch (ch) {
      case '^':
        this.i++;
        return { t: 'assert', kind: 'start' };
      case '$':
        this.i++;
        return { t: 'assert', kind: 'end' };
      case '.':
        this.i++;
        return { t: 'any' };
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        return this.fail(`nothing to repeat before "${ch}"; a literal ${ch} must be escaped as \\${ch}`);
      case '{':
        return this.fail('a literal { must be escaped as \\{');
      case '}':
        return this.fail('a literal } must be escaped as \\}');
      case ']':
        return this.fail('a literal ] must be escaped as \\]');
      default:
        this.i++;
        return { t: 'char', cp: c };
    }
  }

  private quantifier(): { min: number; max: number | null } | null {
    const c = this.peek();
    let q: { min: number; max: number | null } | null = null;
    if (c === cp('*')) q = { min: 0, max: null };
    else if (c === cp('+')) q = { min: 1, max: null };
    else if (c === cp('?')) q = { min: 0, max: 1 };
    if (q) this.i++;
    else if (c === cp('{')) q = this.braces();
    if (q && this.peek() === cp('?')) this.i++; // lazy: same match/no-match answer
    return q;
  }

  private braces(): { min: number; max: number | null } {
    this.i++; // {
    const min = this.number();
    if (min === null) this.fail('"{" must start a count like {2}, {2,} or {2,5}; a literal { must be escaped as \\{');
    let max: number | null = min;
    if (this.peek() === cp(',')) {
      this.i++;
      max = this.peek() === cp('}') ? null : this.number();
      if (max === undefined || (max === null && this.peek() !== cp('}'))) this.fail('malformed count in {…}');
    }
    if (this.peek() !== cp('}')) this.fail('malformed count in {…}; a literal { must be escaped as \\{');
    this.i++;
    if (min > MAX_REPEAT_COUNT || (max !== null && max > MAX_REPEAT_COUNT)) {
      this.fail(`repeat counts above ${MAX_REPEAT_COUNT} are not allowed`);
    }
    if (max !== null && max < min) this.fail(`count {${min},${max}} is out of order`);
    return { min, max };
  }

  private number(): number | null {
    const start = this.i;
    while (isDigit(this.peek())) this.i++;
    if (this.i === start) return null;
    if (this.i - start > 6) this.fail('repeat count too large');
    return Number(String.fromCodePoint(...this.s.slice(start, this.i)));
  }

  private group(): RNode {
    this.i++; // (
    if (this.peek() === cp('?')) {
      const next = this.peek(1);
      if (next === cp(':')) {
        // non-capturing: the same as (...) here, since only match/no match is asked
      } else if (next === cp('=') || next === cp('!')) {
        this.fail('lookahead ((?= and (?!) is not supported; combine conditions with "not" or use not_contains');
      } else if (next === cp('<') && (this.peek(2) === cp('=') || this.peek(2) === cp('!'))) {
        this.fail('lookbehind ((?<= and (?<!) is not supported');
      } else if (next === cp('<')) {
        this.fail('named groups ((?<name>…)) are not supported; use (…) or (?:…)');
      } else {
        this.fail('inline flags and modifiers like (?i) are not supported; matching is always case-insensitive');
      }
      this.i += 2;
    }
    const body = this.alternation();
    if (this.peek() !== cp(')')) this.fail('missing ")"');
    this.i++;
    return { t: 'group', body };
  }

  private escape(): RNode {
    this.i++; // backslash
    const c = this.peek();
    if (c === undefined) this.fail('the pattern ends with a lone backslash');
    const ch = String.fromCodePoint(c);
    if (ch === 'b' || ch === 'B') {
      this.i++;
      return { t: 'assert', kind: ch === 'b' ? 'word' : 'not_word' };
    }
    if ('DWS'.includes(ch)) {
      this.i++;
      return { t: 'set', negate: true, ranges: classRanges(ch.toLowerCase()) };
    }
    const v = this.escapeValue();
    return Array.isArray(v) ? { t: 'set', negate: false, ranges: v } : { t: 'char', cp: v };
  }

  /** The escape after a backslash, shared by both contexts: a code point or \d \w \s. */
  private escapeValue(): number | CodeRange[] {
    const c = this.peek()!;
    const ch = String.fromCodePoint(c);
    this.i++;
    const simple: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13 };
    if (ch in simple) return simple[ch];
    if (ch === 'd' || ch === 'w' || ch === 's') return classRanges(ch);
    if (ch === 'x') return this.hex(2);
    if (ch === 'u') {
      if (this.peek() === cp('{')) this.fail('\\u{…} escapes are not supported; use \\uHHHH');
      const v = this.hex(4);
      if (v >= 0xd800 && v <= 0xdbff && this.peek() === cp('\\') && this.peek(1) === cp('u')) {
        const save = this.i;
        this.i += 2;
        const lo = this.hex(4);
        if (lo >= 0xdc00 && lo <= 0xdfff) return 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
        this.i = save;
      }
      if (v >= 0xd800 && v <= 0xdfff) this.fail('a \\u escape for a lone surrogate is not supported');
      return v;
    }
    if (isDigit(c)) this.fail('backreferences (\\1…), octal escapes and \\0 are not supported');
    if (ch === 'k') this.fail('named backreferences (\\k<…>) are not supported');
    if (ch === 'p' || ch === 'P') this.fail('Unicode property escapes (\\p{…}) are not supported');
    if (ch === 'c') this.fail('control escapes (\\cX) are not supported');
    if (isAsciiAlnum(c)) this.fail(`unknown escape \\${ch}`);
    return c; // \. \* \\ \- and any other quoted punctuation: that character
  }

  private hex(n: number): number {
    let v = 0;
    for (let k = 0; k < n; k++) {
      const c = this.peek();
      if (!isHex(c)) this.fail(`expected ${n} hex digits`);
      v = v * 16 + parseInt(String.fromCodePoint(c!), 16);
      this.i++;
    }
    return v;
  }

  private charClass(): RNode {
    this.i++; // [
    let negate = false;
    if (this.peek() === cp('^')) {
      negate = true;
      this.i++;
    }
    if (this.peek() === cp(']')) this.fail('empty classes [] and [^] are not supported');
    const ranges: CodeRange[] = [];
    while (this.peek() !== cp(']')) {
      const lo = this.classAtom();
      if (this.peek() === cp('-') && this.peek(1) !== cp(']') && this.peek(1) !== undefined) {
        this.i++;
        const hi = this.classAtom();
        if (Array.isArray(lo) || Array.isArray(hi)) this.fail('a class like \\d cannot be the end of a range');
        if (hi < lo) this.fail('range out of order in [...]');
        ranges.push([lo, hi]);
      } else if (Array.isArray(lo)) {
        ranges.push(...lo);
      } else {
        ranges.push([lo, lo]);
      }
    }
    this.i++; // ]
    return { t: 'set', negate, ranges };
  }

  private classAtom(): number | CodeRange[] {
    const c = this.peek();
    if (c === undefined) this.fail('missing "]"');
    if (c === cp('[')) this.fail('a literal [ inside [...] must be escaped as \\[ (POSIX classes like [[:alpha:]] are not supported)');
    if (c !== cp('\\')) {
      this.i++;
      return c;
    }
    this.i++;
    const e = this.peek();
    if (e === undefined) this.fail('the pattern ends with a lone backslash');
    if (e === cp('b')) this.fail('\\b inside [...] is not supported (in JavaScript it means backspace)');
    if (e === cp('B')) this.fail('\\B inside [...] is not supported');
    if (e === cp('D') || e === cp('W') || e === cp('S')) this.fail('\\D, \\W and \\S are not supported inside [...]');
    return this.escapeValue();
  }
}

/** Parses a pattern; throws RegexSyntaxError with a user-facing message. */
export function parseRegex(source: string): RNode {
  return new Parser(source).parse();
}
