/**
 * Statements printed with ruled tables: the vertical rules between columns come out of
 * OCR glued to the words beside them, as "|", "[", "]", "!" or "}" ("|Payshap", "848.53Cr|",
 * "1,848.53]"), a rule just before a day as a leading "1" ("123 Oct" for "| 23 Oct"), and
 * a "Cr" touched by a rule as "C1", "Cx" or "C|". These are taken off the words before
 * the parser sees them; anything else is left to the parser and the chain-proven repair.
 */
import { monthNumber } from '../grammar/date';

const LEADING_RULE = /^[|[\]!{}]+(?=[\p{L}\p{N}#(])/u;
const TRAILING_RULE = /(?<=[\p{L}\p{N}.)])[|[\]!{}]+$/u;
/** A rule after a figure read as a comma or a closing bracket, where no bracket opened. */
const TRAILING_AFTER_FIGURE = /(?<=\d[.,]\d{2}(?:cr|dr|kt|dt)?)[,)]$/i;
/** "Cr" after a figure with its "r" lost or misread beside a rule ("C", "C1", "Ci", "C:", "Gr"). */
const TOUCHED_CR = /(?<=\d[.,]\d{2})(?:C[1lIix|:;¢Hq]?|Gr|Cr[.,:;])$/;
/** A rule read as a third decimal ("675.650"): money has two. */
const RULE_AS_DIGIT = /(?<=\d\.\d{2})[01](?=(?:cr|dr|kt|dt)?$)/i;
/** A month with a rule or a speck after it ("28 Oct:"). */
const MONTH_MARK = /^([A-Za-z]{3,9})[:;,.|]$/;

/**
 * A figure grouped by commas whose last group has five digits ("2,74951Cr") can only be one
 * whose decimal point was lost: no grouping leaves five digits after a comma.
 */
const LOST_POINT = /^(\d{1,3}(?:,\d{3})*,\d{3})(\d{2})((?:cr|dr|kt|dt)?)$/i;

export function withoutRuleGlyphs(text: string, next: string | undefined): string {
  let s = text.replace(LEADING_RULE, '').replace(TRAILING_RULE, '');
  if (!s.includes('(')) s = s.replace(TRAILING_AFTER_FIGURE, '');
  s = s.replace(RULE_AS_DIGIT, '').replace(TOUCHED_CR, 'Cr').replace(LOST_POINT, '$1.$2$3');
  const month = MONTH_MARK.exec(s);
  if (month && monthNumber(month[1]) !== null) s = month[1];
  // "123 Oct": no day has three digits; the rule before "23" was read as a 1.
  const day = /^[1lI|](\d{2})$/.exec(s);
  if (day && Number(day[1]) >= 1 && Number(day[1]) <= 31 && next !== undefined && monthNumber(next.replace(/[^a-z]/gi, '')) !== null) s = day[1];
  return s.length > 0 ? s : text;
}
