/**
 * The title row of an xlsx report (every sheet, the summaries included, and the file's
 * document title). A statement a person corrected says so there: its figures are no longer
 * only what the bank printed. The CSV report has no title row (its first line is the
 * header, which readers expect), and the exports carry no note: OFX, QIF, Xero's and
 * Sage's CSV and camt.053 have no comment a reader is sure to keep or ignore safely.
 */
export const CORRECTED_NOTE = 'corrected by hand (see the statement’s audit)';

export function reportTitle(fileName: string | null, corrected: boolean): string | undefined {
  if (!corrected) return fileName ?? undefined;
  return `${fileName ?? 'Statement'} — ${CORRECTED_NOTE}`;
}
