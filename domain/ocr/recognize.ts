/**
 * Text recognition with Tesseract (tesseract.js: Tesseract 5 compiled to WebAssembly,
 * run in worker threads), entirely from local files: the engine from tesseract.js-core
 * and the English LSTM model from @tesseract.js-data/eng, both npm packages. Nothing is
 * fetched at run time: `langPath` is a folder, and the engine is `require`d.
 *
 * A pool holds at most `concurrency` engines per process: that is the OCR_CONCURRENCY
 * limit, shared by every activity of the worker, so however many scans arrive, OCR uses
 * at most that many threads and the rest of the worker (text PDFs, reports, heartbeats)
 * keeps its CPU and its event loop. Requests queue in arrival order. An engine that is
 * cancelled mid-page, or takes too long, is terminated (its thread is stopped at once)
 * and replaced by a fresh one for the next request. Idle engines are stopped after a few
 * seconds (starting one costs about half a second, once per document, against seconds a
 * page), so an idle worker holds neither their memory (~150 MB each) nor their threads.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createWorker, OEM, type Worker as TesseractWorker } from 'tesseract.js';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  /** 0..100 */
  confidence: number;
  /** Pixels of the image recognised (y down). */
  bbox: Box;
}

export interface OcrLine {
  words: OcrWord[];
  bbox: Box;
  /** The line's baseline, from its left end to its right end, in pixels. */
  baseline: Box;
  /** Height of ascenders above the baseline (Tesseract's x-height + ascenders), pixels; 0 if unknown. */
  rowHeight: number;
}

export interface OcrText {
  lines: OcrLine[];
  /** Mean word confidence, 0..100. */
  confidence: number;
}

export interface RecognizeImage {
  /** An image file's bytes (PGM, PNG, JPEG...). */
  image: Buffer;
  dpi: number;
}

export interface OcrPoolOptions {
  concurrency: number;
  /** Page segmentation: '6' = one uniform block of text (rows stay rows), '3' = automatic. */
  pageSegMode?: string;
  /** Stop idle engines after this long. */
  idleMs?: number;
  /** One page taking longer than this is abandoned (the engine is terminated) and fails. */
  pageTimeoutMs?: number;
}

export class OcrCancelled extends Error {
  constructor() {
    super('OCR was cancelled');
    this.name = 'OcrCancelled';
  }
}

/** The folder with eng.traineddata.gz (LSTM, integer "best" model), inside node_modules. */
export function englishModelPath(): string {
  const dir = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
  if (!existsSync(path.join(dir, 'eng.traineddata.gz'))) {
    throw new Error(`OCR language data is missing: ${dir}/eng.traineddata.gz (reinstall @tesseract.js-data/eng)`);
  }
  return dir;
}

interface TessBbox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
interface TessWord {
  text: string;
  confidence: number;
  bbox: TessBbox;
}
interface TessLine {
  words: TessWord[];
  bbox: TessBbox;
  baseline: TessBbox;
  rowAttributes?: { rowHeight?: number; row_height?: number };
}
interface TessBlock {
  paragraphs: { lines: TessLine[] }[];
}

function toOcrText(blocks: TessBlock[] | null): OcrText {
  const lines: OcrLine[] = [];
  let sum = 0;
  let n = 0;
  for (const b of blocks ?? []) {
    for (const p of b.paragraphs) {
      for (const l of p.lines) {
        const words = l.words
          .filter((w) => w.text.trim().length > 0)
          .map((w) => ({ text: w.text.trim(), confidence: w.confidence, bbox: { ...w.bbox } }));
        if (words.length === 0) continue;
        for (const w of words) {
          sum += w.confidence;
          n++;
        }
        const ra = l.rowAttributes ?? {};
        lines.push({ words, bbox: { ...l.bbox }, baseline: { ...l.baseline }, rowHeight: ra.rowHeight ?? ra.row_height ?? 0 });
      }
    }
  }
  return { lines, confidence: n ? sum / n : 0 };
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class OcrPool {
  private readonly idle: TesseractWorker[] = [];
  private leased = 0;
  private readonly waiting: Waiter[] = [];
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly opts: Required<OcrPoolOptions>;

  constructor(options: OcrPoolOptions) {
    this.opts = { pageSegMode: '6', idleMs: 5_000, pageTimeoutMs: 120_000, ...options };
    if (!(this.opts.concurrency >= 1)) throw new RangeError('OCR concurrency must be at least 1');
  }

  /** Requests waiting for an engine (for progress messages). */
  get queued(): number {
    return this.waiting.length;
  }

  /** Recognises one page image. Rejects with OcrCancelled as soon as `signal` aborts. */
  async recognize(input: RecognizeImage, signal?: AbortSignal): Promise<OcrText> {
    if (this.closed) throw new Error('the OCR pool is closed');
    await this.acquire(signal);
    let worker: TesseractWorker | null = null;
    let healthy = false;
    try {
      worker = this.idle.pop() ?? (await this.spawn());
      if (signal?.aborted) throw new OcrCancelled();
      await worker.setParameters({ user_defined_dpi: String(Math.round(input.dpi)) });
      const job = worker.recognize(input.image, {}, { blocks: true, text: false });
      const result = await raceAbort(job, signal, this.opts.pageTimeoutMs);
      healthy = true;
      return toOcrText((result.data.blocks ?? null) as unknown as TessBlock[] | null);
    } finally {
      if (worker && healthy && !this.closed) this.idle.push(worker);
      else if (worker) void worker.terminate().catch(() => undefined);
      this.release();
    }
  }

  /** Stops every engine; requests still waiting are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const w of this.waiting.splice(0)) w.reject(new Error('the OCR pool was closed'));
    await Promise.all(this.idle.splice(0).map((w) => w.terminate().catch(() => undefined)));
  }

  private async spawn(): Promise<TesseractWorker> {
    const worker = await createWorker('eng', OEM.LSTM_ONLY, {
      langPath: englishModelPath(),
      gzip: true,
      cacheMethod: 'none', // read the model from node_modules, write no cache file anywhere
      logger: () => undefined,
      errorHandler: () => undefined,
    });
    await worker.setParameters({ tessedit_pageseg_mode: this.opts.pageSegMode as never });
    return worker;
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new OcrCancelled());
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.leased < this.opts.concurrency) {
      this.leased++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new OcrCancelled());
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve(); // the slot passes straight on
      return;
    }
    this.leased--;
    if (this.leased === 0 && this.idle.length > 0 && !this.closed) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        if (this.leased === 0) for (const w of this.idle.splice(0)) void w.terminate().catch(() => undefined);
      }, this.opts.idleMs);
      this.idleTimer.unref();
    }
  }
}

function raceAbort<T>(job: Promise<T>, signal: AbortSignal | undefined, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => finish(() => reject(new OcrCancelled()));
    const timer = setTimeout(() => finish(() => reject(new Error(`OCR of one page took longer than ${Math.round(timeoutMs / 1000)} s`))), timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    job.then(
      (v) => finish(() => resolve(v)),
      (e) => finish(() => reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}
