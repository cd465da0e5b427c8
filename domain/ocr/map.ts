/**
 * OCR words → the parser's positioned text items, in PDF points with y from the top of
 * the page, so that scanned pages go through the same line building, column mapping and
 * money peeling as text PDFs.
 *
 *  - A sheet scanned a little askew tilts every row. The tilt is measured from the
 *    baselines of the long lines Tesseract found and taken out (each word is rotated
 *    back about the page centre), so one row stays one line across the page.
 *  - Every word gets the baseline of its line, not the bottom of its own box: "Purchase"
 *    (with a descender) and "Dec" must sit on one line, as they do in a text PDF.
 *  - `height` is the font size, as the parser expects, from Tesseract's row height.
 *  - Specks of dust the engine read as ".", "'", "~" or even a digit (a box a few pixels
 *    across) are left out: a stray mark next to an amount would spoil the amount's cell.
 */
import type { PositionedPage, TextItem } from '../statements';
import type { OcrLine, OcrText } from './recognize';
import { withoutRuleGlyphs } from '../statements/ocr-repair/table-rules';

export interface PageGeometry {
  page: number;
  /** Rendered image size, pixels. */
  width: number;
  height: number;
  /** Page size, PDF points. */
  pageWidth: number;
  pageHeight: number;
}

/** Tesseract's row height (ascender to descender) ÷ font size, for the sans fonts statements use. */
const ROW_PER_EM = 0.95;
/** Words closer than this (ink to ink, in ems) are one phrase. */
const MERGE_GAP_EM = 0.75;
/** A "word" whose box is smaller than this share of the font size both ways is a speck of dust. */
const SPECK_EM = 0.3;
/** Rands grouped by commas, then two digits (and a Cr) as the next word: the point was read as a space. */
const GROUPED_WHOLE = /(?:^|\s)-?\d{1,3}(?:,\d{3})+$/;
const CENTS_PART = /^\d{2}(?:cr|dr|kt|dt)?$/i;
/** Punctuation that stands alone in a statement: a separate minus, brackets, a star. */
const LONE_MARKS = /^[-()*]$/;

const median = (xs: number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

/** The page's tilt (dy/dx of its baselines), from lines long enough to measure it well. */
export function skewOf(lines: readonly OcrLine[], imageWidth: number): number {
  const slopes: number[] = [];
  for (const l of lines) {
    const dx = l.baseline.x1 - l.baseline.x0;
    if (l.words.length >= 2 && dx > imageWidth * 0.15) slopes.push((l.baseline.y1 - l.baseline.y0) / dx);
  }
  const s = median(slopes);
  return Math.abs(s) < 0.1 ? s : 0; // beyond ~6 degrees the engine has not found real lines
}

function keep(w: OcrLine['words'][number], fontPx: number): boolean {
  const h = w.bbox.y1 - w.bbox.y0;
  const wd = w.bbox.x1 - w.bbox.x0;
  const speck = h < SPECK_EM * fontPx && wd < SPECK_EM * fontPx;
  if (/[\p{L}\p{N}]/u.test(w.text)) return !speck;
  // A minus or a bracket standing alone: wide enough to be printed, read with confidence.
  return LONE_MARKS.test(w.text) && w.confidence >= 50 && wd >= 0.25 * fontPx;
}

export function toPositionedPage(geometry: PageGeometry, ocr: OcrText): PositionedPage {
  const { width, height, pageWidth, pageHeight } = geometry;
  const sx = pageWidth / width;
  const sy = pageHeight / height;
  const skew = skewOf(ocr.lines, width);
  const theta = Math.atan(skew);
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const cx = width / 2;
  const cy = height / 2;
  const unskew = (x: number, y: number): [number, number] => [
    cx + (x - cx) * cos + (y - cy) * sin,
    cy - (x - cx) * sin + (y - cy) * cos,
  ];

  // Font size per line, in pixels; lines whose estimate is far off the page's usual get the usual.
  const sizes = ocr.lines.map((l) => {
    return (l.rowHeight > 0 ? l.rowHeight : l.bbox.y1 - l.bbox.y0) / ROW_PER_EM;
  });
  const typical = median(sizes.filter((s) => s > 0));

  const items: TextItem[] = [];
  ocr.lines.forEach((line, i) => {
    let size = sizes[i];
    if (!(size > 0) || (typical > 0 && (size < typical * 0.5 || size > typical * 2.5))) size = typical || 10;
    const b = line.baseline;
    const dx = b.x1 - b.x0;
    const slope = dx > 0 ? (b.y1 - b.y0) / dx : skew;
    const hasBaseline = dx > 0 || b.y0 > 0;
    // Words a normal space apart become one item, as a PDF writes a phrase: the ink gap
    // between two words (a space plus the letters' side bearings) is up to ~0.6 em, and
    // the parser starts a new cell at 0.5 em. Columns stand much further apart.
    let run: { str: string; x0: number; x1: number; y: number } | null = null;
    const flush = () => {
      if (!run) return;
      items.push({
        str: run.str,
        x: round(run.x0 * sx),
        y: round((run.y - size) * sy),
        width: round(Math.max(1, run.x1 - run.x0) * sx),
        height: round(size * sy),
      });
      run = null;
    };
    const words = line.words.filter((w) => keep(w, size));
    words.forEach((w, k) => {
      // Quote marks that specks make in front of a word ("‘Bal Brought Forward") are noise,
      // and so are the table's rules read as part of a word.
      const text = withoutRuleGlyphs(w.text.replace(/^[‘’“”'"`]+(?=\p{L})/u, ''), words[k + 1]?.text);
      const base = hasBaseline ? b.y0 + (w.bbox.x0 - b.x0) * slope : w.bbox.y1;
      const [x0, y] = unskew(w.bbox.x0, base);
      const x1 = x0 + (w.bbox.x1 - w.bbox.x0);
      if (run && x0 - run.x1 < MERGE_GAP_EM * size && x0 >= run.x1 - 0.2 * size) {
        // "1,876 21Cr": a figure whose decimal point OCR read as a space.
        run.str += GROUPED_WHOLE.test(run.str) && CENTS_PART.test(text) ? `.${text}` : ` ${text}`;
        run.x1 = x1;
      } else {
        flush();
        run = { str: text, x0, x1, y };
      }
    });
    flush();
  });
  return { page: geometry.page, width: pageWidth, height: pageHeight, items, hasText: false };
}

const round = (n: number) => Math.round(n * 100) / 100;
