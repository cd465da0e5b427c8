/**
 * Parsing a statement whose pages were (partly) read by OCR: the same parser as for text
 * PDFs, then a repair loop in which the balance chain is the judge.
 *
 * Where the chain breaks on an OCR'd page (a balance that does not follow, a row that
 * could not be read, a brought-forward or total that disagrees), the values the chain
 * needs there are worked out from the neighbouring balances, and each figure on the
 * offending lines is asked whether it can be read as one of them (confusions.ts:
 * O→0, S→5, l→1, a lost decimal point, stray marks, one look-alike digit, a lost sign).
 * A reading is adopted only if, parsed again with it, the statement has strictly fewer
 * breaks and skipped rows than before, that is, the chain proves it. Every adopted
 * reading is reported as OCR_CORRECTED with its page and line; every break that no
 * reading mends stays as the parser reported it and is named again as OCR_UNPROVEN, and
 * the statement is then not reconciled. Nothing is bent to fit: a value that is not one
 * of the figure's readings is never used.
 *
 * Dates cannot be proven by balances; a date cell is rewritten (specks removed, letters
 * in it read as digits) only where that lets a row whose amounts the chain then accepts
 * be read at all, and it is reported too.
 *
 * The loop re-runs the whole parser per candidate, which keeps it exactly as strict as
 * the parser; the arithmetic filter above keeps candidates to a handful per break, and a
 * budget bounds the total.
 *
 * This file is the entry point; the parts live beside it:
 *   - repair-loop.ts: the loop itself and the final report of what it did;
 *   - chain-proof.ts: what counts as a break, and when a trial parse proves a reading;
 *   - chain-targets.ts: the values the chain needs at a break;
 *   - candidate-edits.ts: the rewrites of a line's cells to try, and applying one to a page;
 *   - repair-report.ts: the OCR_CORRECTED and OCR_UNPROVEN warnings.
 */
import type { ParsedStatement, PositionedPage } from '../types';
import { runToEnd, runYielding } from '../parse/steps';
import { repairing, type RepairOptions } from './repair-loop';

export { isOcrPage, type RepairOptions } from './repair-loop';

/**
 * parseStatement for pages some of which OCR read, with chain-proven corrections. Pages
 * with a text layer are parsed exactly as parseStatement does; a document without OCR'd
 * pages gives parseStatement's result unchanged.
 */
export function parseWithOcr(input: PositionedPage[], options: RepairOptions = {}): ParsedStatement {
  return runToEnd(repairing(input, options));
}

/**
 * parseWithOcr for an activity: the same repair, handing the event loop back every few
 * tens of milliseconds so heartbeats go out (the repair may take its whole budget, far
 * longer than a heartbeat timeout) and calling `between` then, which may throw to stop
 * (a cancelled activity).
 */
export function parseWithOcrYielding(
  input: PositionedPage[],
  between: () => void,
  options: RepairOptions & { sliceMs?: number } = {},
): Promise<ParsedStatement> {
  return runYielding(repairing(input, options), between, options.sliceMs);
}
