/**
 * Helpers for the statement tests: hand-built positioned pages (no PDF in between, so a
 * test states exactly where each cell sits), and fixtures generated and extracted once
 * per test run.
 */
import { extractPages, type PositionedPage, type TextItem } from '../../../domain/statements';
import { generateStatement, type GeneratedStatement, type StatementSpec } from '../../fixtures/statements';

/** Helvetica-ish width, enough for column mapping. */
const widthOf = (s: string, size: number) => s.length * size * 0.5;

/** A cell: text, left x (or right x with align 'r'), baseline from the top. */
export type Spec = [text: string, x: number, baseline: number, align?: 'r'];

export function item([str, x, baseline, align]: Spec, size = 8): TextItem {
  const width = widthOf(str, size);
  return { str, x: align === 'r' ? x - width : x, y: baseline - size, width, height: size };
}

export function page(n: number, cells: Spec[]): PositionedPage {
  const items = cells.map((c) => item(c));
  return { page: n, width: 595, height: 842, items, hasText: items.length > 0 };
}

/** Rows of a simple generic statement: header at `top`, one row per 12 points. */
export function table(
  header: [string, number, 'r'?][],
  rows: (string | null)[][],
  top = 200,
): Spec[] {
  const out: Spec[] = header.map(([t, x, a]) => [t, x, top, a]);
  rows.forEach((r, i) => r.forEach((t, c) => t !== null && out.push([t, header[c][1], top + 14 + i * 12, header[c][2]])));
  return out;
}

export interface Extracted {
  g: GeneratedStatement;
  pages: PositionedPage[];
}

const cache = new Map<StatementSpec, Promise<Extracted>>();

/** Generates and extracts a fixture once per run, whichever test asks first. */
export function extracted(spec: StatementSpec): Promise<Extracted> {
  let p = cache.get(spec);
  if (!p) {
    p = generateStatement(spec).then(async (g) => ({ g, pages: await extractPages(g.pdf, 1, g.pages) }));
    cache.set(spec, p);
  }
  return p;
}

/** The fields a parsed transaction is compared on (seq and rawText are checked separately). */
export function comparable(t: { date: string; description: string; amountCents: number; balanceCents: number | null; page: number; line: number }) {
  return { date: t.date, description: t.description, amountCents: t.amountCents, balanceCents: t.balanceCents, page: t.page, line: t.line };
}

export async function rejects(p: Promise<unknown> | (() => unknown), code: string): Promise<Error & { code: string }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    const e = err as Error & { code: string };
    if (e.name !== 'TaskInputError' || e.code !== code) throw new Error(`expected TaskInputError ${code}, got ${e.name} ${e.code}: ${e.message}`);
    return e;
  }
  throw new Error(`expected TaskInputError ${code}, but nothing was thrown`);
}
