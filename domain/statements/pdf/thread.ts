/**
 * The client side of the pdf.js thread (pdfjs-thread.mjs): one worker thread per process,
 * started on first use, running pdf.js as plain JavaScript. Loaded through the service's
 * TypeScript loader (tsx), pdf.js cost ~460 MB of RSS per process; in its own thread,
 * outside the loader, ~73 MB. Text extraction (extract.ts) and OCR page rendering
 * (../../ocr/render.ts) both go through here, so a worker carries one copy of pdf.js.
 *
 * The thread is shared by every task on the worker, and a PDF is untrusted input: a small
 * file can ask pdf.js for hours of work or gigabytes of heap (thousands of pages drawing
 * one huge content stream, say). So the thread is bounded:
 *
 * - It does one request at a time, in arrival order. Its time then belongs to one request,
 *   so a deadline measures that request alone, and the request that overran or ran the
 *   thread out of memory is known.
 * - Every request has a deadline (PdfLimits below); a request over it, or whose caller's
 *   signal aborts, is stopped by terminating the thread, which stops pdf.js wherever it
 *   is. A deadline or an out-of-memory fails the request with PDF_TOO_COMPLEX
 *   (non-retryable: the same file would do the same again); an abort rejects with the
 *   signal's reason. Requests still queued are not affected: the next one starts a fresh
 *   thread.
 * - The thread's heap is capped (resourceLimits), so pdf.js cannot take the worker's
 *   memory.
 *
 * If the thread dies for another reason (a native crash), the request under way is
 * rejected with a PdfThreadStopped error — nothing is known about the file then, so
 * callers treat it as retryable. An idle thread does not keep the process alive.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { TaskErrorCodes, TaskInputError } from '../../../contract/errors/task-errors';

/** An error as the thread reports it: pdf.js's name (PasswordException, ...) and message. */
export interface PdfThreadError {
  name: string;
  message: string;
  /** The page being read when it failed, where there was one. */
  page?: number;
  /**
   * pdf.js's own code, where its error has one: a PasswordException's is 1 (NEED_PASSWORD,
   * none given) or 2 (INCORRECT_PASSWORD).
   */
  code?: number;
}

export const PDF_THREAD_STOPPED = 'PdfThreadStopped';
/**
 * A request meant for the thread that holds a document open (`thread` in PdfThreadCall)
 * found another thread in its place: the document went with the old one.
 */
export const PDF_THREAD_REPLACED = 'PdfThreadReplaced';

/**
 * How much of the thread one request may take. Measured here: a text page takes 10-20 ms
 * (a 500-page statement extracts at ~50 pages/s), opening even a 5,000-page document well
 * under a second, rendering a scanned page for OCR 1-1.5 s, and 500 pages of text peak at
 * ~64 MB of heap; the defaults leave a wide margin over that.
 */
export interface PdfLimits {
  /** Opening the document (cross-reference table, page tree): every request that reads a document gets this much. */
  openTimeoutMs: number;
  /**
   * Text of one page. Granted page by page as the thread reports each one done, on top of
   * the open allowance: a request that falls behind fails as soon as it does, not after
   * the time all its pages would have had.
   */
  pageTimeoutMs: number;
  /** Rendering one page to pixels for OCR. */
  renderTimeoutMs: number;
  /** The thread's JavaScript heap (V8's old generation), in MB. */
  threadMemoryMb: number;
}

export const DEFAULT_PDF_LIMITS: Readonly<PdfLimits> = Object.freeze({
  openTimeoutMs: 10_000,
  pageTimeoutMs: 500,
  renderTimeoutMs: 30_000,
  threadMemoryMb: 512,
});

let limits: Readonly<PdfLimits> = DEFAULT_PDF_LIMITS;

/**
 * Sets the limits for this process's thread (there is one per process, so its limits are
 * the process's too): the worker passes its configuration; unset fields keep their
 * defaults. A new memory limit applies from the next thread started.
 */
export function configurePdfThread(next: Partial<PdfLimits>): void {
  limits = Object.freeze({ ...DEFAULT_PDF_LIMITS, ...definedOnly(next) });
}

/** The limits in force, with `override` on top (a caller with its own, such as a test). */
export function pdfLimits(override: Partial<PdfLimits> = {}): Readonly<PdfLimits> {
  return { ...limits, ...definedOnly(override) };
}

/** The limits `p` sets: its other fields (a configuration section holds more) and unset ones left out. */
function definedOnly(p: Partial<PdfLimits>): Partial<PdfLimits> {
  const keys = Object.keys(DEFAULT_PDF_LIMITS) as (keyof PdfLimits)[];
  return Object.fromEntries(keys.filter((k) => p[k] !== undefined).map((k) => [k, p[k]])) as Partial<PdfLimits>;
}

/** How one request is bounded and to which thread it must go. */
export interface PdfThreadCall {
  /** Aborted: the request is dropped if still queued, or its thread terminated if under way; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Longest the thread may work on the request, from when it starts on it. */
  timeoutMs?: number;
  /** More time granted each time the thread reports a step done (a page of text). */
  perStepMs?: number;
  /** Only on this thread (one holding a document opened earlier); another fails PDF_THREAD_REPLACED. */
  thread?: number;
  /** The heap limit a thread started for this request gets. */
  threadMemoryMb?: number;
}

type Request = { op: string; data?: Uint8Array } & Record<string, unknown>;

interface Job {
  id: number;
  request: Request;
  call: PdfThreadCall;
  resolve: (answer: { value: unknown; thread: number }) => void;
  reject: (error: unknown) => void;
  /** performance.now() by which the thread must answer; moved on by each step it reports. */
  deadline?: number;
  timer?: NodeJS.Timeout;
  onAbort?: () => void;
}

/**
 * An idle thread whose heap has grown past IDLE_KEEP_HEAP_BYTES is replaced after this
 * long by a fresh one: pdf.js's heap stays grown after a large statement (~130-200 MB),
 * and a worker that read one an hour ago should not carry that. A thread with a small
 * heap is kept: a fresh thread reads its first short statement cold (measured ~0.4-0.7 s
 * for 4 pages, against ~35 ms warm), most of that statement's upload-to-SUCCESS time.
 * The replacement is started at once, so pdf.js is at least loaded when the next one comes.
 */
let idleStopMs = 30_000;
// Measured heap after reading: 34 MB for 4 pages, 54 MB for 50, 84 MB for 500.
const IDLE_KEEP_HEAP_BYTES = 64 * 1024 * 1024;

let idleKeepHeapBytes = IDLE_KEEP_HEAP_BYTES;

/** Tests: how long a thread with a grown heap may stay idle, and from what heap size it is replaced. */
export function setPdfThreadIdlePolicy(p: { stopMs?: number; keepHeapBytes?: number }): void {
  idleStopMs = p.stopMs ?? 30_000;
  idleKeepHeapBytes = p.keepHeapBytes ?? IDLE_KEEP_HEAP_BYTES;
}

let thread: Worker | undefined;
/** Whether the current thread has taken a request: a fresh one is not replaced when idle. */
let threadUsed = false;
/** The current thread's heap size at its last answer. */
let threadHeapBytes = 0;
/** The heap limit the current thread was started with. */
let threadMemory = 0;
/** Which thread is running: counts up with each one started, so a document's holder can tell it was replaced. */
let threadNumber = 0;
let nextId = 0;
/** Pages of text the threads of this process have read, for tests of how much work a document costs. */
let pagesRead = 0;
/** Documents the threads opened for text (tests of whether a kept document is reused). */
let documentsOpened = 0;
/** Requests not yet started, oldest first. */
const queue: Job[] = [];
/** The request the thread is working on. */
let current: Job | undefined;
/** A thread being terminated: the next starts once it is gone, so two never hold memory at once. */
let stopping: Promise<void> | undefined;
/** Holds on the current thread (a document kept open in it for rendering): not idle while any. */
let pins = new Set<symbol>();
let idleTimer: NodeJS.Timeout | undefined;

const isIdle = () => !current && queue.length === 0 && pins.size === 0;

function scheduleIdleStop(): void {
  clearTimeout(idleTimer);
  idleTimer = undefined;
  if (!thread || !threadUsed || threadHeapBytes <= idleKeepHeapBytes || !isIdle()) return;
  idleTimer = setTimeout(() => void replaceIdleThread(), idleStopMs);
  idleTimer.unref();
}

/** The idle thread's memory given back, and a fresh thread started in its place (see idleStopMs). */
async function replaceIdleThread(): Promise<void> {
  if (!(await releasePdfThreadIfIdle()) || thread || stopping) return;
  try {
    thread = startThread(limits.threadMemoryMb);
    threadNumber++;
    threadUsed = false;
  } catch {
    // No thread now: the next request starts one, as after any stop.
  }
}

function tooComplex(why: string): TaskInputError {
  return new TaskInputError(
    TaskErrorCodes.PDF_TOO_COMPLEX,
    `The PDF ${why}: its pages are far more complex than a bank statement's. Upload the statement as downloaded from the bank (not re-printed, merged or edited).`,
  );
}

function startThread(memoryMb: number): Worker {
  threadMemory = memoryMb;
  threadHeapBytes = 0;
  // execArgv [] keeps the TypeScript loader out of the thread: that is the point of it.
  const t = new Worker(path.join(__dirname, 'pdfjs-thread.mjs'), {
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
  });
  t.unref(); // an idle thread must not keep the process alive
  t.on('message', (m: { id: number; step?: true; opened?: true; ok?: boolean; value?: unknown; error?: PdfThreadError; heap?: number }) => {
    const job = current;
    if (thread !== t || !job || job.id !== m.id) return;
    if (m.heap !== undefined) threadHeapBytes = m.heap;
    if (m.opened) {
      documentsOpened++;
      return;
    }
    if (m.step) {
      pagesRead++;
      if (job.deadline !== undefined && job.call.perStepMs) job.deadline += job.call.perStepMs;
      return;
    }
    finish(job);
    if (m.ok) job.resolve({ value: m.value, thread: threadNumber });
    else job.reject(m.error ?? { name: 'Error', message: 'pdf.js failed' });
  });
  const died = (err: Error & { code?: string }) => {
    if (thread !== t) return; // terminated on purpose: already dealt with
    thread = undefined;
    pins = new Set(); // what they held died with the thread
    const job = current;
    if (job) {
      finish(job);
      // The heap cap is there for this: the document asked for more than a statement needs.
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') job.reject(tooComplex('needs more memory to read than a statement may take'));
      else job.reject({ name: PDF_THREAD_STOPPED, message: `the pdf.js thread stopped: ${err.message}` });
    }
    pump();
  };
  t.on('error', died);
  t.on('exit', (code) => died(new Error(`exit code ${code}`)));
  return t;
}

/** The request under way is over: its timer and abort listener go, and the thread is free. */
function finish(job: Job): void {
  clearTimeout(job.timer);
  if (job.onAbort) job.call.signal?.removeEventListener('abort', job.onAbort);
  if (current === job) current = undefined;
  queueMicrotask(pump);
}

/** Stops the thread under `job` (terminated wherever pdf.js is) and fails the job with `error`. */
function kill(job: Job, error: unknown): void {
  const t = thread;
  thread = undefined;
  pins = new Set();
  finish(job);
  job.reject(error);
  if (t) void retire(t);
}

/** Terminates a thread no longer current; queued requests start on a new one once it is gone. */
async function retire(t: Worker): Promise<void> {
  const gone = t.terminate().then(
    () => undefined,
    () => undefined,
  );
  stopping = gone;
  await gone;
  if (stopping === gone) stopping = undefined;
  pump();
}

function armTimer(job: Job): void {
  if (job.deadline === undefined) return;
  const left = job.deadline - performance.now();
  if (left <= 0) return kill(job, tooComplex('takes too long to read'));
  job.timer = setTimeout(() => armTimer(job), left);
  job.timer.unref(); // a busy thread keeps the process alive already
}

/** Starts queued requests while the thread is free. */
function pump(): void {
  while (!current && !stopping && queue.length > 0) {
    const job = queue.shift()!;
    if (job.call.thread !== undefined && (thread === undefined || job.call.thread !== threadNumber)) {
      finish(job);
      job.reject({ name: PDF_THREAD_REPLACED, message: 'the pdf.js thread holding the document was replaced' });
      continue;
    }
    try {
      // A request with a heap limit of its own gets a thread started with it.
      const memoryMb = job.call.threadMemoryMb ?? limits.threadMemoryMb;
      if (thread && !threadUsed && threadMemory !== memoryMb) {
        queue.unshift(job); // runs on the thread started once this one is gone
        const fresh = thread;
        thread = undefined;
        void retire(fresh);
        return;
      }
      if (!thread) {
        thread = startThread(memoryMb);
        threadNumber++;
      }
      threadUsed = true;
      clearTimeout(idleTimer);
      thread.ref(); // busy: keep the process alive until the answer
      // The PDF goes as a copy, transferred rather than cloned: pdf.js takes ownership of its
      // buffer, and the caller's stays intact (the OCR step still needs it after extraction).
      // Copied only now, so a queued request holds no second copy of its file.
      const data = job.request.data ? new Uint8Array(job.request.data) : undefined;
      thread.postMessage({ ...job.request, ...(data ? { data } : {}), id: job.id }, data ? [data.buffer as ArrayBuffer] : []);
      current = job;
    } catch (err) {
      // No thread could be started, or the request could not be sent: this request fails
      // (retryable, nothing is known about the file) and the next one tries afresh.
      finish(job);
      job.reject({ name: PDF_THREAD_STOPPED, message: `the pdf.js thread could not take the request: ${(err as Error).message}` });
      continue;
    }
    if (job.call.timeoutMs !== undefined) {
      job.deadline = performance.now() + job.call.timeoutMs;
      armTimer(job);
    }
  }
  if (!current && queue.length === 0) {
    thread?.unref();
    scheduleIdleStop();
  }
}

/** Sends one request to the thread; the answer is its value and which thread gave it. */
export function askPdfThreadOn<T>(request: Request, call: PdfThreadCall = {}): Promise<{ value: T; thread: number }> {
  const { signal } = call;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<{ value: T; thread: number }>((resolve, reject) => {
    const job: Job = { id: nextId++, request, call, resolve: resolve as Job['resolve'], reject };
    if (signal) {
      job.onAbort = () => {
        if (current === job) return kill(job, signal.reason);
        const at = queue.indexOf(job);
        if (at >= 0) queue.splice(at, 1);
        finish(job);
        reject(signal.reason);
      };
      signal.addEventListener('abort', job.onAbort, { once: true });
    }
    queue.push(job);
    pump();
  });
}

/** Sends one request to the thread (see askPdfThreadOn). */
export async function askPdfThread<T>(request: Request, call: PdfThreadCall = {}): Promise<T> {
  return (await askPdfThreadOn<T>(request, call)).value;
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
  await retire(t);
  return true;
}

/** Stops the thread whatever it is doing (tests that simulate a crash); the next request starts a new one. */
export async function stopPdfThread(): Promise<void> {
  await thread?.terminate();
}

/** Which thread is the current one: a new number each time one is started (tests). */
export const pdfThreadGeneration = (): number => threadNumber;

/** Whether a thread is running (tests). */
export const pdfThreadRunning = (): boolean => thread !== undefined;

/** Pages of text read so far by this process's pdf.js threads (tests count a document's work with it). */
export const pdfPagesRead = (): number => pagesRead;

/** Documents opened for text so far by this process's pdf.js threads (tests). */
export const pdfDocumentsOpened = (): number => documentsOpened;

/** Whether the thread is working on a request (tests wait for this before they abort one). */
export const pdfThreadBusy = (): boolean => current !== undefined;
