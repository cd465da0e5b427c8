/**
 * The OCR step of extraction (ParseDeps.ocrPages): pages without a text layer are
 * rendered, recognised and mapped to positioned items, one page at a time, with the next
 * page rendered while the engine reads the current one. A page that reads badly is read
 * again turned (scanned upside down, or sideways on a landscape page), and the best
 * reading kept. Progress is reported per page,
 * and the caller's cancellation signal is honoured between pages and in the middle of one
 * (the engine's thread is terminated), so a cancel lands within about a heartbeat.
 */
import type { PositionedPage } from '../statements';
import { toPositionedPage } from './map';
import { OcrCancelled, type OcrPool } from './recognize';
import { inkCoverage, openRenderer, toPgm, type PageRaster } from './render';

export interface OcrPagesOptions {
  pool: OcrPool;
  /** Rendering resolution, or 'scan': each page at its scanned image's own resolution. */
  dpi: number | 'scan';
}

/**
 * Reads `pages` of `data`; a `signal` that aborts stops it, with the signal's reason as the
 * error. `password` opens a locked PDF.
 */
export type OcrPagesFn = (
  data: Uint8Array,
  pages: number[],
  onPage: (done: number) => void,
  signal?: AbortSignal,
  password?: string,
) => Promise<PositionedPage[]>;

/** Less ink than this share of the page: a blank sheet (the back of a page), not read. */
const BLANK_INK = 0.001;
/** Little ink and almost nothing legible on it: blank apart from specks or a smudge. */
const FAINT_INK = 0.004;
/**
 * A page read with less confidence than this may be turned: upside down (a sheet fed the
 * wrong way round) or, on a landscape page, sideways (a portrait statement scanned across
 * the glass). It is read again turned, and the best reading kept. Upright scans read at
 * 80–90; the same page upside down at ~30.
 */
const MAYBE_TURNED = 60;
/** A turned reading must beat the first by this much to be believed. */
const TURN_MARGIN = 15;

type Turn = 90 | 180 | 270;

/**
 * The page turned clockwise by `turn` degrees, with its size in points turned too, so the
 * text reads upright in the result. 180° is the pixels in reverse order; a quarter turn
 * swaps width and height.
 */
export function turnRaster(r: PageRaster, turn: Turn): PageRaster {
  if (turn === 180) return { ...r, gray: r.gray.slice().reverse() };
  const { width: w, height: h, gray } = r;
  const out = new Uint8Array(w * h);
  // Clockwise: source (x, y) lands at (h - 1 - y, x) in an h-wide image; counter-clockwise at (y, w - 1 - x).
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const to = turn === 90 ? x * h + (h - 1 - y) : (w - 1 - x) * h + y;
      out[to] = gray[row + x];
    }
  }
  return { ...r, width: h, height: w, pageWidth: r.pageHeight, pageHeight: r.pageWidth, gray: out };
}

/** The turns worth trying on a page that read badly: a quarter turn only on a landscape page. */
function turnsFor(r: PageRaster): Turn[] {
  return r.width > r.height ? [90, 270, 180] : [180];
}

function cancelled(signal: AbortSignal | undefined): Error {
  const reason = signal?.reason;
  return reason instanceof Error ? reason : new OcrCancelled();
}

export function createOcrPages(options: OcrPagesOptions): OcrPagesFn {
  return async (data, pages, onPage, signal, password) => {
    const check = () => {
      if (signal?.aborted) throw cancelled(signal);
    };
    check();
    const renderer = await openRenderer(data, { signal, password });
    const out: PositionedPage[] = [];
    let done = 0;
    const read = async (scanned: PageRaster): Promise<void> => {
      let raster = scanned;
      const ink = inkCoverage(raster);
      let page: PositionedPage;
      if (ink < BLANK_INK) {
        page = { page: raster.page, width: raster.pageWidth, height: raster.pageHeight, items: [], hasText: false, ocr: { confidence: 0, blank: true } };
      } else {
        const recognize = async (r: PageRaster) => {
          try {
            return await options.pool.recognize({ image: toPgm(r), dpi: r.dpi }, signal);
          } catch (err) {
            throw err instanceof OcrCancelled ? cancelled(signal) : err;
          }
        };
        let text = await recognize(raster);
        let rotated: Turn | null = null;
        if (text.confidence < MAYBE_TURNED && ink >= FAINT_INK) {
          const first = text.confidence;
          for (const turn of turnsFor(scanned)) {
            const candidate = turnRaster(scanned, turn);
            const other = await recognize(candidate);
            if (other.confidence >= first + TURN_MARGIN && other.confidence > text.confidence) [text, raster, rotated] = [other, candidate, turn];
            if (text.confidence >= MAYBE_TURNED) break; // good enough: no more turns
          }
        }
        const geometry = { page: raster.page, width: raster.width, height: raster.height, pageWidth: raster.pageWidth, pageHeight: raster.pageHeight };
        page = toPositionedPage(geometry, text);
        const legible = text.lines.flatMap((l) => l.words).filter((w) => w.confidence >= 60 && /[\p{L}\p{N}]{2}/u.test(w.text)).length;
        const blank = ink < FAINT_INK && legible < 3;
        page.ocr = { confidence: Math.round(text.confidence * 10) / 10, blank, ...(rotated ? { rotated } : {}) };
        if (blank) page.items = [];
      }
      out.push(page);
      onPage(++done);
    };
    try {
      // Render page n+1 while page n is being read: at most one page waits for the engine.
      let reading: Promise<void> | null = null;
      for (const n of pages) {
        check();
        const raster = await renderer.render(n, options.dpi);
        check();
        if (reading) await reading;
        reading = read(raster);
        reading.catch(() => undefined); // awaited below or at the next page
      }
      if (reading) await reading;
    } finally {
      await renderer.close();
    }
    return out.sort((a, b) => a.page - b.page);
  };
}
