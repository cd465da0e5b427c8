/**
 * The repair loop: parse, find the breaks on OCR'd pages, try each candidate mend with a
 * full re-parse, adopt the best one the chain proves, and go on from the mended parse
 * until nothing more is mended or the budget runs out. It is a generator that yields after
 * every trial parse, so a caller can hand the event loop back between parses (repair.ts).
 * At the end it names what was corrected, what stays unproven, and what OCR noticed about
 * whole pages (blank, turned).
 */
import { TaskErrorCodes, TaskInputError } from '../../../contract/errors/task-errors';
import type { ParsedStatement, ParseWarning, PositionedPage } from '../types';
import { inferredChainHolds, notAStatement, parseStatement } from '../parse/statement';
import { buildLines, type Line } from '../layout/lines';
import { amountEdits, applyEdit, dateEdits, junkCellEdits, type Edit } from './candidate-edits';
import { keyOf, onlyRemoves, spotsOf, trouble } from './chain-proof';
import { needs } from './chain-targets';
import { describe, explainedBySkipped, impliedAmount, unproven } from './repair-report';

/** The first parse and every trial keep an inferred layout; it is judged after mending. */
const KEEP = { keepUnchainedInference: true } as const;

export interface RepairOptions {
  /** Most re-parses in one repair (each is a full parse). */
  maxParses?: number;
  /** Wall-clock budget for the repair loop. */
  maxMillis?: number;
}

/** Pages OCR read (no text layer of their own). */
export function isOcrPage(p: PositionedPage): boolean {
  return !p.hasText && (p.ocr !== undefined || p.items.length > 0);
}

/** The repair, a parse at a time: it yields after every trial parse. */
export function* repairing(input: PositionedPage[], options: RepairOptions): Generator<void, ParsedStatement, void> {
  const ocrPages = new Set(input.filter(isOcrPage).map((p) => p.page));
  if (ocrPages.size === 0) return parseStatement(input);
  const maxParses = options.maxParses ?? 2000;
  const deadline = Date.now() + (options.maxMillis ?? 20_000);

  const blank = input.filter((p) => p.ocr?.blank && p.items.length === 0);
  let pages = input.filter((p) => !blank.includes(p));
  let parsed: ParsedStatement;
  try {
    parsed = parseStatement(pages, KEEP);
  } catch (err) {
    if (err instanceof TaskInputError && err.code === TaskErrorCodes.PDF_NO_TEXT) {
      throw new TaskInputError(
        TaskErrorCodes.PDF_NO_TEXT,
        `The PDF is a scan and OCR found no readable text on its ${input.length === 1 ? 'page' : `${input.length} pages`} (they look blank or too faint). Scan the statement again more clearly, or upload it as downloaded from the bank.`,
      );
    }
    throw err;
  }

  let score = trouble(parsed);
  let parses = 1;
  const edits: Edit[] = [];
  const given = new Set<string>();
  const lineCache = new WeakMap<PositionedPage, Line[]>();
  const linesOf = (page: PositionedPage) => {
    let l = lineCache.get(page);
    if (!l) lineCache.set(page, (l = buildLines(page)));
    return l;
  };

  // Each pass takes the breaks in statement order and mends each that a reading proves,
  // going on from the mended parse; breaks given up on are tried again in the next pass
  // only if something was mended (the chain around them may have changed).
  for (let improved = true; improved && score > 0; ) {
    improved = false;
    for (const spot of spotsOf(parsed, ocrPages)) {
      if (given.has(keyOf(spot))) continue;
      if (parses >= maxParses || Date.now() > deadline) break;
      if (!spotsOf(parsed, ocrPages).some((s) => keyOf(s) === keyOf(spot))) continue; // mended on the way
      const { targets, lines } = needs(parsed, spot, pages);
      const candidates: Edit[] = [];
      for (const at of lines) {
        const page = pages.find((p) => p.page === at.page);
        const line = page && ocrPages.has(at.page) ? linesOf(page).find((l) => l.index === at.line) : undefined;
        if (!line) continue;
        const where = { page: at.page, line: at.line, lineTop: line.top, lineBottom: line.bottom };
        for (const e of amountEdits(line, targets)) candidates.push({ ...e, ...where });
        if (at.line === spot.line) for (const e of junkCellEdits(line)) candidates.push({ ...e, ...where });
        if (spot.code === 'SKIPPED' && /date/.test(spot.reason ?? '') && at.line === spot.line) {
          for (const e of dateEdits(line)) candidates.push({ ...e, ...where });
        }
      }
      candidates.sort((a, b) => a.rank - b.rank);
      let best: { edit: Edit; pages: PositionedPage[]; parsed: ParsedStatement; score: number } | null = null;
      for (const edit of candidates) {
        if (parses >= maxParses || Date.now() > deadline) break;
        const page = pages.find((p) => p.page === edit.page)!;
        const changed = applyEdit(page, edit);
        if (!changed) continue;
        const trial = pages.map((p) => (p === page ? changed : p));
        let result: ParsedStatement;
        parses++;
        try {
          result = parseStatement(trial, KEEP);
        } catch {
          continue;
        } finally {
          yield;
        }
        const s = trouble(result);
        if (s < score && onlyRemoves(parsed, result) && (!best || s < best.score)) {
          best = { edit, pages: trial, parsed: result, score: s };
        }
      }
      if (best) {
        pages = best.pages;
        parsed = best.parsed;
        score = best.score;
        edits.push(best.edit);
        improved = true;
        continue;
      }
      given.add(keyOf(spot));
    }
    if (improved) given.clear(); // the chain changed: breaks given up on may now be mended
  }

  const warnings: ParseWarning[] = parsed.warnings.map((w) =>
    w.code === 'PAGE_NO_TEXT' && ocrPages.has(w.page)
      ? { ...w, message: `Page ${w.page} is a scanned image on which OCR found no readable text; any transactions on it were not read` }
      : w,
  );
  for (const p of blank) {
    warnings.push({ page: p.page, line: 0, code: 'OCR_BLANK_PAGE', message: `Page ${p.page} is a blank scanned page; it was skipped` });
  }
  for (const p of input.filter((x) => x.ocr?.rotated)) {
    const how = p.ocr!.rotated === 180 ? 'upside down' : 'sideways';
    warnings.push({ page: p.page, line: 0, code: 'OCR_PAGE_TURNED', message: `Page ${p.page} was scanned ${how}; it was read turned the right way up` });
  }
  warnings.push(...edits.map(describe));
  // Rows and balance markers are named; a summary total that disagrees is the parser's own
  // warning. A row right after an unreadable one that agrees with that row's printed
  // balance is not in doubt: the break is the unreadable row's.
  const left = spotsOf(parsed, ocrPages)
    .filter((s) => s.code !== 'BALANCE_MISMATCH' || !explainedBySkipped(parsed, s, pages))
    .map((s) => unproven(s, s.code === 'SKIPPED' ? impliedAmount(parsed, s) : null));
  warnings.push(...left);
  warnings.sort((a, b) => a.page - b.page || a.line - b.line);
  // Columns inferred without a header must chain once mended, or this is no statement.
  if (parsed.warnings.some((w) => w.code === 'COLUMNS_INFERRED') && !inferredChainHolds(parsed.transactions.length, parsed.warnings)) throw notAStatement();
  return { ...parsed, warnings, reconciled: parsed.reconciled && left.length === 0 };
}
