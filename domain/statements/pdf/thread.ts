/**
 * The client side of the pdf.js thread (pdfjs-thread.mjs): one worker thread per process,
 * started on first use, running pdf.js as plain JavaScript. Loaded through the service's
 * TypeScript loader (tsx), pdf.js cost ~460 MB of RSS per process; in its own thread,
 * outside the loader, ~73 MB. Text extraction (extract.ts) and OCR page rendering
 * (../../ocr/render.ts) both go through here, so a worker carries one copy of pdf.js.
 *
 * Requests are numbered and answered in any order; an idle thread does not keep the
 * process alive. If the thread dies (out of memory, a native crash), every waiting request
 * is rejected with a PdfThreadStopped error — nothing is known about the file then, so
 * callers treat it as retryable — and the next request starts a fresh thread.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** An error as the thread reports it: pdf.js's name (PasswordException, ...) and message. */
export interface PdfThreadError {
  name: string;
  message: string;
  /** The page being read when it failed, where there was one. */
  page?: number;
}

export const PDF_THREAD_STOPPED = 'PdfThreadStopped';

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: PdfThreadError) => void;
}

/**
 * An idle thread is stopped after this long: pdf.js's heap stays grown after a large
 * statement (~130-200 MB), and a worker that read one statement an hour ago should not
 * carry that. Restarting costs ~0.2 s, against many seconds of work per statement.
 */
const IDLE_STOP_MS = 30_000;

let thread: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, Waiting>();
/** Holds on the current thread (a document kept open in it for rendering): not idle while any. */
let pins = new Set<symbol>();
let idleTimer: NodeJS.Timeout | undefined;

const isIdle = () => waiting.size === 0 && pins.size === 0;

function scheduleIdleStop(): void {
  clearTimeout(idleTimer);
  idleTimer = undefined;
  if (!thread || !isIdle()) return;
  idleTimer = setTimeout(() => void releasePdfThreadIfIdle(), IDLE_STOP_MS);
  idleTimer.unref();
}

function pdfThread(): Worker {
  if (thread) return thread;
  // execArgv [] keeps the TypeScript loader out of the thread: that is the point of it.
  const t = new Worker(path.join(__dirname, 'pdfjs-thread.mjs'), { execArgv: [] });
  t.unref(); // an idle thread must not keep the process alive
  t.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: PdfThreadError }) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.value);
    else w.reject(m.error ?? { name: 'Error', message: 'pdf.js failed' });
  });
  const fail = (err: Error) => {
    if (thread !== t) return;
    thread = undefined;
    pins = new Set(); // what they held died with the thread
    for (const w of waiting.values()) w.reject({ name: PDF_THREAD_STOPPED, message: `the pdf.js thread stopped: ${err.message}` });
    waiting.clear();
  };
  t.on('error', fail);
  t.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  thread = t;
  return t;
}

/**
 * Sends one request to the thread. A PDF in `data` goes as a copy, transferred rather than
 * cloned: pdf.js takes ownership of its buffer, and the caller's stays intact (the OCR
 * step still needs it after extraction).
 */
export function askPdfThread<T>(request: { op: string; data?: Uint8Array } & Record<string, unknown>): Promise<T> {
  const id = nextId++;
  const t = pdfThread();
  clearTimeout(idleTimer);
  t.ref(); // busy: keep the process alive until the answer
  const data = request.data ? new Uint8Array(request.data) : undefined;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    t.postMessage({ ...request, ...(data ? { data } : {}), id }, data ? [data.buffer as ArrayBuffer] : []);
  }).finally(() => {
    if (waiting.size === 0) thread?.unref();
    scheduleIdleStop();
  });
}

/**
 * Keeps the current thread from being stopped as idle (by the idle timer or
 * releasePdfThreadIfIdle) until the returned release is called: for state held in the
 * thread between requests, such as a document kept open for rendering. A release after
 * the thread died is harmless.
 */
export function pinPdfThread(): () => void {
  const pin = Symbol('pdf-thread-pin');
  const held = pins;
  held.add(pin);
  return () => {
    held.delete(pin);
    scheduleIdleStop();
  };
}

/**
 * Stops the thread if nothing is waiting on it and no document is open in it, giving its
 * memory back; the next request starts a new one. The parse step calls this before it
 * holds a whole statement's pages, which it reads without pdf.js.
 */
export async function releasePdfThreadIfIdle(): Promise<boolean> {
  const t = thread;
  if (!t || !isIdle()) return false;
  thread = undefined;
  clearTimeout(idleTimer);
  await t.terminate();
  return true;
}

/** Stops the thread whatever it is doing (tests that simulate a crash); the next request starts a new one. */
export async function stopPdfThread(): Promise<void> {
  await thread?.terminate();
}

/** Whether a thread is running (tests). */
export const pdfThreadRunning = (): boolean => thread !== undefined;
