/**
 * The OCR step of extraction (ParseDeps.ocrPages): pages without a text layer are
 * rendered, recognised and mapped to positioned items, one page at a time, with the next
 * page rendered while the engine reads the current one. A page that reads badly is read
 * again turned 180° (scanned upside down), and the better reading kept. Progress is reported per page,
 * and the activity's cancellation is honoured between pages and in the middle of one
 * (the engine's thread is terminated), so a cancel lands within about a heartbeat.
 */
import { Context } from '@temporalio/activity';
import type { PositionedPage } from '../statements';
import { toPositionedPage } from './map';
import { OcrCancelled, type OcrPool } from './recognize';
import { inkCoverage, openRenderer, toPgm, type PageRaster } from './render';

export interface OcrPagesOptions {
  pool: OcrPool;
  /** Rendering resolution, or 'scan': each page at its scanned image's own resolution. */
  dpi: number | 'scan';
  /** The cancellation to honour; by default the running activity's. */
  signal?: () => AbortSignal | undefined;
}

export type OcrPagesFn = (data: Uint8Array, pages: number[], onPage: (done: number) => void) => Promise<PositionedPage[]>;

/** Less ink than this share of the page: a blank sheet (the back of a page), not read. */
const BLANK_INK = 0.001;
/** Little ink and almost nothing legible on it: blank apart from specks or a smudge. */
const FAINT_INK = 0.004;
/**
 * A page read with less confidence than this may be upside down (a sheet fed the wrong
 * way round): it is read again turned 180°, and the better reading kept. Upright scans
 * read at 80–90; the same page upside down at ~30.
 */
const MAYBE_UPSIDE_DOWN = 60;
/** The turned reading must beat the first by this much to be believed. */
const TURN_MARGIN = 15;

/** The page turned 180°: the same pixels in reverse order. */
function turned(raster: PageRaster): PageRaster {
  return { ...raster, gray: raster.gray.slice().reverse() };
}

function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // not inside an activity (tests, scripts)
  }
}

function cancelled(signal: AbortSignal | undefined): Error {
  const reason = signal?.reason;
  return reason instanceof Error ? reason : new OcrCancelled();
}

export function createOcrPages(options: OcrPagesOptions): OcrPagesFn {
  return async (data, pages, onPage) => {
    const signal = (options.signal ?? activitySignal)();
    const check = () => {
      if (signal?.aborted) throw cancelled(signal);
    };
    check();
    const renderer = await openRenderer(data);
    const out: PositionedPage[] = [];
    let done = 0;
    const read = async (raster: PageRaster): Promise<void> => {
      const geometry = { page: raster.page, width: raster.width, height: raster.height, pageWidth: raster.pageWidth, pageHeight: raster.pageHeight };
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
        let rotated = false;
        if (text.confidence < MAYBE_UPSIDE_DOWN && ink >= FAINT_INK) {
          const other = await recognize(turned(raster));
          if (other.confidence >= text.confidence + TURN_MARGIN) [text, rotated] = [other, true];
        }
        page = toPositionedPage(geometry, text);
        const legible = text.lines.flatMap((l) => l.words).filter((w) => w.confidence >= 60 && /[\p{L}\p{N}]{2}/u.test(w.text)).length;
        const blank = ink < FAINT_INK && legible < 3;
        page.ocr = { confidence: Math.round(text.confidence * 10) / 10, blank, ...(rotated ? { rotated: 180 as const } : {}) };
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
