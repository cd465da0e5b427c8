/**
 * The longest run of literal characters every match of a pattern must contain, ASCII-folded
 * (the form it takes in the folded description). It is a necessary condition, so the SQL
 * and the TS evaluator test it first (`strpos(s.d, lit) > 0 AND description ~ re`) and
 * skip the regex on rows that cannot match: an answer can never change, only the time.
 *
 * Sound because the run is taken only from the pattern's top-level sequence (groups
 * without alternatives are inlined): consecutive literal nodes, with nothing but zero-width
 * assertions between them, match consecutive characters of the text.
 */
import type { RNode } from './regex-ast';

export const MIN_PREFILTER_LENGTH = 2;

function foldCp(cp: number): number {
  return cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp;
}

function sequence(n: RNode): RNode[] | null {
  if (n.t === 'seq') return n.items;
  if (n.t === 'group') return sequence(n.body);
  return null;
}

export function requiredLiteral(ast: RNode): string | null {
  let best: number[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length > best.length) best = run;
    run = [];
  };
  const walk = (items: RNode[]) => {
    for (const n of items) {
      if (n.t === 'char') run.push(foldCp(n.cp));
      else if (n.t === 'assert') continue;
      else if (n.t === 'group' && sequence(n.body)) walk(sequence(n.body)!);
      else flush();
    }
  };
  const top = sequence(ast);
  if (!top) return null;
  walk(top);
  flush();
  return best.length >= MIN_PREFILTER_LENGTH ? String.fromCodePoint(...best) : null;
}
