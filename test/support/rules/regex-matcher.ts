/**
 * How the TS evaluator runs a regex without ever hanging: V8's RegExp (fast, but it
 * backtracks) for texts short enough that the pattern's worst case stays within
 * BACKTRACK_BUDGET steps, and the linear-time NFA (regex-nfa.ts) for longer ones. Both
 * give the same answer; only the time differs.
 *
 * The worst case is estimated on the AST: under the policy in regex-safety.ts (star
 * height 1, no repeated alternation) a repeat of width w (max − min + 1, or n + 1 when
 * unbounded) multiplies the ways to match by w, alternation adds them, and an unanchored
 * search multiplies by the n + 1 start positions. The largest text length whose estimate
 * fits the budget is found once per pattern.
 *
 * One V8 quirk is routed around: for a zero-width match V8 also tries the position between
 * the two halves of a surrogate pair, where \B holds ("c😀_" matches /\B/u in V8, not in
 * Postgres, not in the NFA). Patterns with \B therefore use the NFA on texts with astral
 * characters.
 */
import { JS_REGEX_FLAGS, type RegexSources } from '../../../domain/rules/regex-emit';
import { Nfa } from '../../../domain/rules/regex-nfa';
import type { CheckedRegex } from '../../../domain/rules/regex-safety';
import type { RNode } from '../../../domain/rules/regex-ast';

export const BACKTRACK_BUDGET = 1_000_000;
const MAX_LENGTH_PROBE = 1 << 24;

function ways(node: RNode, n: number): number {
  switch (node.t) {
    case 'seq':
      return node.items.reduce((acc, x) => acc * ways(x, n), 1);
    case 'alt':
      return node.alts.reduce((acc, x) => acc + ways(x, n), 0);
    case 'group':
      return ways(node.body, n);
    case 'repeat': {
      const width = node.max === null ? n + 1 : node.max - node.min + 1;
      return width * Math.max(1, ways(node.body, n));
    }
    default:
      return 1;
  }
}

function anchoredAtStart(node: RNode): boolean {
  if (node.t === 'seq') return node.items.length > 0 && anchoredAtStart(node.items[0]);
  if (node.t === 'alt') return node.alts.every(anchoredAtStart);
  if (node.t === 'group') return anchoredAtStart(node.body);
  return node.t === 'assert' && node.kind === 'start';
}

/** Estimated worst-case backtracking steps for a text of length n. */
export function backtrackCost(ast: RNode, n: number): number {
  return (anchoredAtStart(ast) ? 1 : n + 1) * ways(ast, n);
}

/** The longest text length (in UTF-16 units) the native engine is trusted with. */
export function nativeLengthLimit(ast: RNode, budget = BACKTRACK_BUDGET): number {
  if (backtrackCost(ast, MAX_LENGTH_PROBE) <= budget) return Infinity;
  let lo = 0;
  let hi = MAX_LENGTH_PROBE;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (backtrackCost(ast, mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface RegexMatcher {
  test(text: string): boolean;
}

function hasNotWord(node: RNode): boolean {
  switch (node.t) {
    case 'seq':
      return node.items.some(hasNotWord);
    case 'alt':
      return node.alts.some(hasNotWord);
    case 'group':
    case 'repeat':
      return hasNotWord(node.body);
    case 'assert':
      return node.kind === 'not_word';
    default:
      return false;
  }
}

const SURROGATE = /[\ud800-\udfff]/;

export function makeMatcher(ast: RNode, sources: RegexSources, nfa: Nfa): RegexMatcher {
  const re = new RegExp(sources.js, JS_REGEX_FLAGS);
  const limit = nativeLengthLimit(ast);
  if (hasNotWord(ast)) {
    return { test: (text) => (text.length <= limit && !SURROGATE.test(text) ? re.test(text) : nfa.test(text)) };
  }
  return { test: (text) => (text.length <= limit ? re.test(text) : nfa.test(text)) };
}

/** A matcher for a pattern the policy accepted. */
export const matcherFor = (c: CheckedRegex): RegexMatcher => makeMatcher(c.ast, c.sources, c.nfa);
