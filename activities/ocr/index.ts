/**
 * OCR for scanned statements: pages without a text layer are rendered (render.ts),
 * recognised by Tesseract (recognize.ts), mapped to the parser's positioned items
 * (map.ts), and the parse is checked and mended by the balance chain (repair.ts,
 * confusions.ts). See README.md beside this file.
 */
import type { Config } from '../../core/config';
import { createOcrPages, type OcrPagesFn } from './pages';
import { OcrPool } from './recognize';

export { parseWithOcr, parseWithOcrYielding, isOcrPage } from './repair';
export { scannedPageCount, tooManyScannedPages, OCR_TOO_MANY_PAGES } from './limit';
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
export function createOcr(config: Pick<Config['ocr'], 'concurrency'>, options: { dpi?: number | 'scan' } = {}): Ocr {
  const pool = new OcrPool({ concurrency: config.concurrency });
  return { ocrPages: createOcrPages({ pool, dpi: options.dpi ?? OCR_DPI }), pool, close: () => pool.close() };
}
