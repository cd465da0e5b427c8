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
 */
import { TaskErrorCodes, TaskInputError } from '../../../contract/errors/task-errors';
import type { ParsedStatement, ParseWarning, PositionedPage, TextItem } from '../types';
import { inferredChainHolds, notAStatement, parseStatement } from '../parse/statement';
import { formatCents, parseAmount, signedCents } from '../grammar/amount';
import { buildLines, type Line } from '../layout/lines';
import { dateVariants, digitsOf, explainAmount, type AmountFix } from './confusions';

/** The first parse and every trial keep an inferred layout; it is judged after mending. */
const KEEP = { keepUnchainedInference: true } as const;

/** Warnings that mean the figures do not add up, or a row could not be read. */
const CHAIN_CODES = new Set([
  'BALANCE_MISMATCH',
  'BROUGHT_FORWARD_MISMATCH',
  'CARRIED_FORWARD_MISMATCH',
  'CLOSING_MISMATCH',
  'OPENING_CLOSING_MISMATCH',
  'OPENING_MISMATCH',
  'TOTAL_MISMATCH',
  'COUNT_MISMATCH',
]);

/** Breaks that sit on a row or a balance marker of the table. */
const ROW_CODES = new Set(['BALANCE_MISMATCH', 'BROUGHT_FORWARD_MISMATCH', 'CARRIED_FORWARD_MISMATCH']);

export interface RepairOptions {
  /** Most re-parses in one repair (each is a full parse). */
  maxParses?: number;
  /** Wall-clock budget for the repair loop. */
  maxMillis?: number;
}

type Fix = AmountFix | 'date';

interface Edit {
  page: number;
  line: number;
  /** The cell as OCR read it, and as it is now read. */
  from: string;
  to: string;
  fix: Fix;
  rank: number;
  /** Cell position on the line, to find its items. */
  cell: { x: number; right: number };
  lineTop: number;
  lineBottom: number;
}

interface Spot {
  page: number;
  line: number;
  code: string;
  /** For a skipped row: why it was skipped. */
  reason?: string;
}

/** Pages OCR read (no text layer of their own). */
export function isOcrPage(p: PositionedPage): boolean {
  return !p.hasText && (p.ocr !== undefined || p.items.length > 0);
}

const before = (a: { page: number; line: number }, b: { page: number; line: number }) => a.page < b.page || (a.page === b.page && a.line < b.line);

function trouble(p: ParsedStatement): number {
  let n = p.skippedRows.length;
  for (const w of p.warnings) if (CHAIN_CODES.has(w.code) || w.code === 'DATE_OUTSIDE_PERIOD') n++;
  for (let i = 1; i < p.transactions.length; i++) if (p.transactions[i].date < p.transactions[i - 1].date) n++;
  return n;
}

/**
 * A correction may only take problems away: every warning and skipped row after it was
 * there before (same code, page and line), and no transaction is lost. Fewer problems
 * alone is not enough: a figure bent to silence one check could upset another.
 */
function onlyRemoves(before: ParsedStatement, after: ParsedStatement): boolean {
  if (after.transactions.length < before.transactions.length) return false;
  const had = new Set(before.warnings.map((w) => `${w.code}:${w.page}:${w.line}`));
  if (after.warnings.some((w) => !had.has(`${w.code}:${w.page}:${w.line}`))) return false;
  const skipped = new Set(before.skippedRows.map((r) => `${r.page}:${r.line}`));
  return after.skippedRows.every((r) => skipped.has(`${r.page}:${r.line}`));
}

function spotsOf(p: ParsedStatement, ocrPages: ReadonlySet<number>): Spot[] {
  const out: Spot[] = [];
  // Rows and balance markers only: a summary figure is checked against totals of rows that
  // may themselves be missing, which is too weak a proof to rewrite it.
  for (const w of p.warnings) if (ROW_CODES.has(w.code) && w.line > 0 && ocrPages.has(w.page)) out.push({ page: w.page, line: w.line, code: w.code });
  for (const s of p.skippedRows) if (ocrPages.has(s.page)) out.push({ page: s.page, line: s.line, code: 'SKIPPED', reason: s.reason });
  return out.sort((a, b) => a.page - b.page || a.line - b.line);
}

const keyOf = (s: Spot) => `${s.page}:${s.line}:${s.code}`;

/** The values the chain needs around a spot (magnitudes, cents), and the lines to look at. */
function needs(p: ParsedStatement, spot: Spot, pagesRef: PositionedPage[]): { targets: Set<number>; lines: { page: number; line: number }[] } {
  const txs = p.transactions;
  const targets = new Set<number>();
  const lines = [{ page: spot.page, line: spot.line }];
  const add = (v: number | null | undefined) => {
    if (v !== null && v !== undefined && v !== 0) targets.add(Math.abs(v));
  };
  // Running balance just before index i (null when nothing before it sets one).
  const runningBefore = (i: number): { value: number | null; from: number } => {
    let sum = 0;
    for (let j = i - 1; j >= 0; j--) {
      if (txs[j].balanceCents !== null) return { value: txs[j].balanceCents! + sum, from: j };
      sum += txs[j].amountCents;
    }
    return { value: p.openingBalanceCents === null ? null : p.openingBalanceCents + sum, from: -1 };
  };
  const firstAfter = txs.findIndex((t) => before(spot, t));
  const firstOn = txs.findIndex((t) => t.page === spot.page && t.line === spot.line);
  const idx = firstOn >= 0 ? firstOn : firstAfter >= 0 ? firstAfter : txs.length;
  const r = runningBefore(idx);

  if (spot.code === 'BALANCE_MISMATCH' && firstOn >= 0) {
    let lastOn = firstOn;
    while (lastOn + 1 < txs.length && txs[lastOn + 1].page === spot.page && txs[lastOn + 1].line === spot.line) lastOn++;
    const moved = txs.slice(firstOn, lastOn + 1).reduce((s, t) => s + t.amountCents, 0);
    const b = txs[lastOn].balanceCents;
    if (r.value !== null && b !== null) {
      add(b - r.value); // this row's amount
      for (let i = firstOn; i <= lastOn; i++) add(b - r.value - (moved - txs[i].amountCents));
    }
    if (r.value !== null) add(r.value + moved); // this row's balance
    if (b !== null) add(b - moved); // the previous balance
    if (r.from >= 0) lines.push({ page: txs[r.from].page, line: txs[r.from].line });
    return { targets, lines };
  }
  if (spot.code === 'SKIPPED') {
    // Each figure on the row read at face value (its digits, in cents): a lost decimal point
    // or a stray mark made it unreadable, and the row's own balance check will judge it.
    const page = pagesRef.find((pg) => pg.page === spot.page);
    const line = page && buildLines(page).find((l) => l.index === spot.line);
    for (const c of line?.cells ?? []) for (const w of c.text.split(' ')) {
      const d = digitsOf(w.replace(/^[^\dOolISsZB]+/, ''));
      if (d.length >= 3 && d.length <= 13) add(Number(d));
    }
    // The row's balance is what the next printed balance implies; its amount the step to it.
    let sum = 0;
    for (let j = firstAfter; j >= 0 && j < txs.length; j++) {
      sum += txs[j].amountCents;
      if (txs[j].balanceCents !== null) {
        const y = txs[j].balanceCents! - sum;
        add(y);
        if (r.value !== null) add(y - r.value);
        break;
      }
    }
    return { targets, lines };
  }
  // A brought/carried-forward marker: the running balance where it stands.
  add(r.value);
  return { targets, lines };
}

/** Short words around a figure that are specks or noise read as letters ("iis", "i:", "4"). */
const junkWord = (w: string) => w.length <= 3 && !/^(?:cr|dr|kt|dt|r|zar|-)$/i.test(w);

function amountEdits(line: Line, targets: ReadonlySet<number>): Omit<Edit, 'page' | 'line' | 'lineTop' | 'lineBottom'>[] {
  const out: Omit<Edit, 'page' | 'line' | 'lineTop' | 'lineBottom'>[] = [];
  const seen = new Set<string>();
  const rankOf: Record<Fix, number> = { confusion: 0, digit: 10, sign: 20, date: 30 };
  for (const cell of line.cells) {
    const words = cell.text.split(' ');
    for (let i = 0; i < words.length; i++) {
      for (let j = i + 1; j <= Math.min(words.length, i + 4); j++) {
        const span = words.slice(i, j).join(' ');
        if (!/\d/.test(span)) continue;
        for (const m of targets) {
          for (const reading of explainAmount(span, m)) {
            const variants: [string[], number][] = [[[...words.slice(0, i), reading.text, ...words.slice(j)], 0]];
            // The same, without noise words glued on either side of the figure.
            let a = i;
            while (a > 0 && junkWord(words[a - 1])) a--;
            let b = j;
            while (b < words.length && junkWord(words[b])) b++;
            if (a < i || b > j) variants.push([[...words.slice(0, a), reading.text, ...words.slice(b)], 5]);
            for (const [ws, extra] of variants) {
              const to = ws.join(' ');
              if (to === cell.text || seen.has(to)) continue;
              seen.add(to);
              out.push({ from: cell.text, to, fix: reading.fix, rank: rankOf[reading.fix] + extra, cell: { x: cell.x, right: cell.right } });
            }
          }
        }
      }
    }
  }
  return out.sort((x, y) => x.rank - y.rank);
}

/** Cells that are only noise ("i:", "iis", a lone digit from a speck): reading the line without them. */
function junkCellEdits(line: Line): Omit<Edit, 'page' | 'line' | 'lineTop' | 'lineBottom'>[] {
  if (line.cells.length < 3) return [];
  return line.cells
    .filter((c) => c.text.split(' ').every(junkWord) && (c.text.match(/\d/g)?.length ?? 0) <= 1)
    .map((c) => ({ from: c.text, to: '', fix: 'confusion' as const, rank: 6, cell: { x: c.x, right: c.right } }));
}

function dateEdits(line: Line): Omit<Edit, 'page' | 'line' | 'lineTop' | 'lineBottom'>[] {
  const out: Omit<Edit, 'page' | 'line' | 'lineTop' | 'lineBottom'>[] = [];
  for (const cell of line.cells.slice(0, 3)) {
    if (!/\d/.test(cell.text) || cell.text.length > 24) continue;
    for (const to of dateVariants(cell.text)) out.push({ from: cell.text, to, fix: 'date', rank: 30, cell: { x: cell.x, right: cell.right } });
  }
  return out;
}

/** The page with one cell's items replaced by a single item reading `to`. */
function applyEdit(page: PositionedPage, e: Edit): PositionedPage | null {
  const eps = 0.02;
  const inCell = (it: TextItem) => {
    const bottom = it.y + it.height;
    return bottom >= e.lineTop - eps && bottom <= e.lineBottom + eps && it.x >= e.cell.x - eps && it.x + it.width <= e.cell.right + eps;
  };
  const hits = page.items.filter(inCell);
  if (hits.length === 0) return null;
  hits.sort((a, b) => a.x - b.x);
  const first = hits[0];
  const drop = new Set(hits);
  const items: TextItem[] = [];
  for (const it of page.items) {
    if (it === first && e.to !== '') items.push({ ...it, str: e.to, x: e.cell.x, width: Math.max(1, e.cell.right - e.cell.x) });
    else if (!drop.has(it)) items.push(it);
  }
  return { ...page, items };
}

function describe(e: Edit): ParseWarning {
  const at = `Page ${e.page}, line ${e.line}`;
  const message =
    e.to === ''
      ? `${at}: OCR read marks of dust or noise as "${e.from}" beside the figures; without them the row agrees with the balance chain`
      : e.fix === 'date'
      ? `${at}: OCR read the date as "${e.from}"; it was read as "${e.to}", with which the row's amounts agree with the balance chain`
      : e.fix === 'sign'
        ? `${at}: OCR read "${e.from}" without its sign (a minus or Cr/Dr lost in the scan); it was corrected to "${e.to}", the only sign with which the balances before and after the row agree`
        : `${at}: OCR read "${e.from}"; it was corrected to "${e.to}", the one reading of those characters that the balances before and after the row agree with`;
  return { page: e.page, line: e.line, code: 'OCR_CORRECTED', message };
}

function unproven(s: Spot, implied: number | null): ParseWarning {
  const at = `Page ${s.page}, line ${s.line}`;
  const imply = implied === null ? '' : ` (the balances around it imply a movement of ${formatCents(implied)})`;
  const message =
    s.code === 'SKIPPED'
      ? `${at}: this row was read by OCR but could not be used (${s.reason}); no reading of it agrees with the balance chain, which therefore breaks here${imply}. Check this row against the scan.`
      : s.code === 'BALANCE_MISMATCH'
        ? `${at}: the figures OCR read on this row do not agree with the balance chain, and no reading of them does; the row is unproven. Check it against the scan.`
        : `${at}: the balance OCR read here does not agree with the transactions above it, and no reading of it does. Check it against the scan.`;
  return { page: s.page, line: s.line, code: 'OCR_UNPROVEN', message };
}

/** Balance before the first transaction after `spot`, and the balance that row's own figures imply. */
function around(p: ParsedStatement, spot: Spot): { before: number | null; nextIndex: number } {
  const txs = p.transactions;
  const nextIndex = txs.findIndex((t) => before(spot, t));
  let sum = 0;
  for (let j = (nextIndex < 0 ? txs.length : nextIndex) - 1; j >= 0; j--) {
    if (txs[j].balanceCents !== null) return { before: txs[j].balanceCents! + sum, nextIndex };
    sum += txs[j].amountCents;
  }
  return { before: p.openingBalanceCents === null ? null : p.openingBalanceCents + sum, nextIndex };
}

/** What an unreadable row must have moved, if the next printed balance is right. */
function impliedAmount(p: ParsedStatement, spot: Spot): number | null {
  const { before: r, nextIndex } = around(p, spot);
  const next = p.transactions[nextIndex];
  if (r === null || !next || next.balanceCents === null) return null;
  // Only when the skipped row is the only one missing between the two balances.
  const skippedBetween = p.skippedRows.filter((s) => s.page === spot.page && s.line !== spot.line && before(s, next) && !before(s, spot));
  if (skippedBetween.length > 0) return null;
  const v = next.balanceCents - next.amountCents - r;
  return v === 0 ? null : v;
}

/** A break at a row that agrees with the balance printed on the unreadable row just above it. */
function explainedBySkipped(p: ParsedStatement, spot: Spot, pages: PositionedPage[]): boolean {
  const k = p.transactions.findIndex((t) => t.page === spot.page && t.line === spot.line);
  if (k < 0) return false;
  const row = p.transactions[k];
  const prev = k > 0 ? p.transactions[k - 1] : null;
  const skipped = p.skippedRows.filter((s) => (prev === null || before(prev, s)) && before(s, row));
  if (skipped.length !== 1 || row.balanceCents === null) return false;
  const page = pages.find((pg) => pg.page === skipped[0].page);
  const line = page && buildLines(page).find((l) => l.index === skipped[0].line);
  if (!line) return false;
  return line.cells.some((c) => {
    const a = parseAmount(c.text);
    return a !== null && signedCents(a) + row.amountCents === row.balanceCents;
  });
}

/**
 * parseStatement for pages some of which OCR read, with chain-proven corrections. Pages
 * with a text layer are parsed exactly as parseStatement does; a document without OCR'd
 * pages gives parseStatement's result unchanged.
 */
export function parseWithOcr(input: PositionedPage[], options: RepairOptions = {}): ParsedStatement {
  const steps = repairing(input, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** A slice of the repair this long, then the event loop gets a turn. */
const SLICE_MS = 50;

/**
 * parseWithOcr for an activity: the same repair, handing the event loop back every few
 * tens of milliseconds so heartbeats go out (the repair may take its whole budget, far
 * longer than a heartbeat timeout) and calling `between` then, which may throw to stop
 * (a cancelled activity).
 */
export async function parseWithOcrYielding(
  input: PositionedPage[],
  between: () => void,
  options: RepairOptions & { sliceMs?: number } = {},
): Promise<ParsedStatement> {
  const steps = repairing(input, options);
  const sliceMs = options.sliceMs ?? SLICE_MS;
  let slice = Date.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (Date.now() - slice >= sliceMs) {
      await new Promise((r) => setImmediate(r));
      between();
      slice = Date.now();
    }
  }
}

/** The repair, a parse at a time: it yields after every trial parse. */
function* repairing(input: PositionedPage[], options: RepairOptions): Generator<void, ParsedStatement, void> {
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
