/**
 * The regex policy: a pattern is accepted only if it is short, inside the subset both
 * engines read the same way (regex-parse.ts), and cannot backtrack catastrophically.
 *
 * - at most LIMITS.MAX_REGEX_LENGTH characters;
 * - no quantifier inside a quantified group (star height 1: `(a+)+`, `(\w*\s?)*`);
 * - no quantified group with alternatives (`(a|ab)*` is exponential even at star height 1;
 *   a character class `[ab]*` says the same thing safely);
 * - at most MAX_QUANTIFIERS quantifiers, counts in {n,m} at most 100, and at most
 *   MAX_PROGRAM_SIZE automaton states once counts are expanded (Postgres refuses regexes
 *   that compile too large, and this keeps the linear-time matcher small);
 * - and safe-regex2 must agree (a second, independent opinion on the original pattern).
 * No lookaround or backreferences (regex-parse.ts), so every accepted pattern is regular:
 * an in-memory matcher can always fall back to a linear-time automaton (regex-nfa.ts),
 * Postgres' engine is automaton-based too, and the UPDATE also runs under
 * `SET LOCAL statement_timeout`.
 */
import safeRegex from 'safe-regex2';
import { emitRegex, JS_REGEX_FLAGS, type RegexSources } from './regex-emit';
import { requiredLiteral } from './regex-literal';
import { Nfa, NfaTooLargeError } from './regex-nfa';
import { parseRegex, RegexSyntaxError, type RNode } from './regex-parse';
import { codePointLength } from './text';
import { LIMITS } from './types';

export const MAX_QUANTIFIERS = 20;
export const MAX_PROGRAM_SIZE = 3000;

export interface CheckedRegex {
  ok: true;
  sources: RegexSources;
  /** A literal (ASCII-folded) every match contains, or null: a prefilter (regex-literal.ts). */
  literal: string | null;
  /** The parsed pattern and its automaton: what an in-memory matcher needs besides `sources`. */
  ast: RNode;
  nfa: Nfa;
}

export type RegexCheck = CheckedRegex | { ok: false; message: string };

function containsAlt(n: RNode): boolean {
  switch (n.t) {
    case 'alt':
      return true;
    case 'seq':
      return n.items.some(containsAlt);
    case 'group':
    case 'repeat':
      return containsAlt(n.body);
    default:
      return false;
  }
}

/** Returns a problem with the pattern's structure, or null. */
function structureProblem(root: RNode): string | null {
  let quantifiers = 0;
  const walk = (n: RNode, insideRepeat: boolean): string | null => {
    switch (n.t) {
      case 'seq':
        for (const x of n.items) {
          const p = walk(x, insideRepeat);
          if (p) return p;
        }
        return null;
      case 'alt':
        for (const x of n.alts) {
          const p = walk(x, insideRepeat);
          if (p) return p;
        }
        return null;
      case 'group':
        return walk(n.body, insideRepeat);
      case 'repeat':
        quantifiers++;
        if (insideRepeat) return 'nested quantifiers like (a+)+ can take exponential time; remove the inner or outer repeat';
        if (containsAlt(n.body)) {
          return 'a repeated group with alternatives, like (a|ab)*, can take exponential time; use a character class such as [ab]* or separate rules';
        }
        return walk(n.body, true);
      default:
        return null;
    }
  };
  const p = walk(root, false);
  if (p) return p;
  if (quantifiers > MAX_QUANTIFIERS) return `at most ${MAX_QUANTIFIERS} quantifiers (*, +, ?, {n,m}) are allowed`;
  return null;
}

function checkRegex(pattern: string): RegexCheck {
  if (codePointLength(pattern) > LIMITS.MAX_REGEX_LENGTH) {
    return { ok: false, message: `regex is longer than ${LIMITS.MAX_REGEX_LENGTH} characters` };
  }
  let ast: RNode;
  try {
    ast = parseRegex(pattern);
  } catch (e) {
    if (e instanceof RegexSyntaxError) return { ok: false, message: `invalid or unsupported regex: ${e.message}` };
    throw e;
  }
  const problem = structureProblem(ast);
  if (problem) return { ok: false, message: `unsafe regex: ${problem}` };
  if (!safeRegex(pattern)) {
    return { ok: false, message: 'unsafe regex: it could backtrack catastrophically (rejected by safe-regex2)' };
  }
  let nfa: Nfa;
  try {
    nfa = Nfa.compile(ast, MAX_PROGRAM_SIZE);
  } catch (e) {
    if (e instanceof NfaTooLargeError) {
      return { ok: false, message: 'regex is too large once its repeat counts are expanded; use smaller {n,m} counts' };
    }
    throw e;
  }
  const sources = emitRegex(ast);
  try {
    new RegExp(sources.js, JS_REGEX_FLAGS);
  } catch {
    return { ok: false, message: 'invalid or unsupported regex' };
  }
  return { ok: true, sources, literal: requiredLiteral(ast), ast, nfa };
}

const cache = new Map<string, RegexCheck>();
const CACHE_MAX = 2000;

/** Checks and translates a pattern; results are memoised (the function is pure). */
export function compileRegex(pattern: string): RegexCheck {
  let r = cache.get(pattern);
  if (!r) {
    r = checkRegex(pattern);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(pattern, r);
  }
  return r;
}
