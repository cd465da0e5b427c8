/**
 * OCR for scanned statements: pages without a text layer are rendered (render.ts),
 * recognised by Tesseract (recognize.ts), mapped to the parser's positioned items
 * (map.ts); the statement parser checks and mends the reading by its balance chain
 * (domain/statements/ocr-repair/). See README.md beside this file.
 */
import { createOcrPages, type OcrPagesFn } from './pages';
import { OcrPool } from './recognize';

export { scannedPageCount, tooManyScannedPages, OCR_TOO_MANY_PAGES, type ScannedPageCount } from './limit';
export { OcrPool } from './recognize';
export { createOcrPages, type OcrPagesFn } from './pages';

/** Pages are rendered at their scanned image's resolution (200..400 DPI; 300 without one). */
export const OCR_DPI = 'scan' as const;

export interface Ocr {
  ocrPages: OcrPagesFn;
  pool: OcrPool;
  close(): Promise<void>;
}

/** One OCR service per worker process: its pool is the OCR_CONCURRENCY limit. */
export function createOcr(config: { concurrency: number }, options: { dpi?: number | 'scan' } = {}): Ocr {
  const pool = new OcrPool({ concurrency: config.concurrency });
  return { ocrPages: createOcrPages({ pool, dpi: options.dpi ?? OCR_DPI }), pool, close: () => pool.close() };
}
