/**
 * The client side of the pdf.js threads (pdfjs-thread.mjs): worker threads started on
 * first use, running pdf.js as plain JavaScript — one for rendering and text, and up to
 * PdfLimits.textThreads in all for chunks of pages read side by side (see Lane). Loaded through the service's
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
  /**
   * How many threads may read chunks of pages at once: a chunk that would wait behind
   * another goes to a second thread, on another core. Each running thread carries its own
   * pdf.js heap, but the worker's peak is its parse step's, not its threads': two read a
   * 503-page statement ~10% faster end to end than one, at the same peak RSS (bench/RESULTS.md).
   */
  textThreads: number;
}

export const DEFAULT_PDF_LIMITS: Readonly<PdfLimits> = Object.freeze({
  openTimeoutMs: 10_000,
  pageTimeoutMs: 500,
  renderTimeoutMs: 30_000,
  threadMemoryMb: 512,
  textThreads: 2,
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
  /** The lane it is queued on or running in (another lane may take it over while it waits: Lane.pump). */
  lane: Lane;
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
 * The first lane's replacement is started at once, so pdf.js is at least loaded when the
 * next statement comes. Another lane's thread stops after this long idle whatever its
 * heap, and is not replaced: it starts again when chunks are next read side by side.
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

/** Counts up with each thread started, in any lane, so a document's holder can tell it was replaced. */
let threadNumber = 0;
let nextId = 0;
/** Pages of text the threads of this process have read, for tests of how much work a document costs. */
let pagesRead = 0;
/** Documents the threads opened for text (tests of whether a kept document is reused). */
let documentsOpened = 0;

/**
 * Requests that may go to any lane: chunks of pages, read side by side from a long
 * statement. The rest use the first lane: rendering (its documents stay in one thread),
 * and a short statement's whole read or a page count. Those are tens of milliseconds on
 * the warm first thread; spread over two, a burst of short statements gained nothing
 * (bench/RESULTS.md), and a second thread would be kept warm for them.
 */
const SPREAD_OPS = new Set(['pages']);

function tooComplex(why: string): TaskInputError {
  return new TaskInputError(
    TaskErrorCodes.PDF_TOO_COMPLEX,
    `The PDF ${why}: its pages are far more complex than a bank statement's. Upload the statement as downloaded from the bank (not re-printed, merged or edited).`,
  );
}

/**
 * One pdf.js thread and the requests queued for it. Chunks of pages are spread over
 * `textThreads` lanes, so two chunks of a long statement are read on two cores at once;
 * everything said above holds per lane: one request at a time, each bounded, the thread
 * replaced when one overruns.
 */
class Lane {
  thread: Worker | undefined;
  /** Which thread is running in this lane (threadNumber when it started); 0 before the first. */
  threadId = 0;
  /** Whether the current thread has taken a request: a fresh one is not replaced when idle. */
  threadUsed = false;
  /** The current thread's heap size at its last answer. */
  threadHeapBytes = 0;
  /** The heap limit the current thread was started with. */
  threadMemory = 0;
  /** Requests not yet started, oldest first. */
  readonly queue: Job[] = [];
  /** The request the thread is working on. */
  current: Job | undefined;
  /** A thread being terminated: the next starts once it is gone, so two never hold memory at once. */
  stopping: Promise<void> | undefined;
  /** Holds on the current thread (a document kept open in it for rendering): not idle while any. */
  pins = new Set<symbol>();
  /** Names of documents sent to this lane's thread to keep open (a hint: the thread may have let one go). */
  kept = new Set<string>();
  idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly index: number) {}

  isIdle(): boolean {
    return !this.current && this.queue.length === 0 && this.pins.size === 0;
  }

  /** Requests on this lane, the one under way included: how far behind a new one would be. */
  load(): number {
    return this.queue.length + (this.current ? 1 : 0) + (this.stopping ? 1 : 0);
  }

  scheduleIdleStop(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    // The first lane's thread is kept warm while its heap is small; another lane's goes
    // whenever idle (it is wanted only while a long statement's chunks are read).
    const keptWarm = this.index === 0 && this.threadHeapBytes <= idleKeepHeapBytes;
    if (!this.thread || !this.threadUsed || keptWarm || !this.isIdle()) return;
    this.idleTimer = setTimeout(() => void this.replaceIdleThread(), idleStopMs);
    this.idleTimer.unref();
  }

  /** The idle thread's memory given back, and on the first lane a fresh thread started in its place (see idleStopMs). */
  async replaceIdleThread(): Promise<void> {
    if (!(await this.releaseIfIdle()) || this.index > 0 || this.thread || this.stopping) return;
    try {
      this.startThread(limits.threadMemoryMb);
      this.threadUsed = false;
    } catch {
      // No thread now: the next request starts one, as after any stop.
    }
  }

  /** Stops this lane's thread if nothing is waiting on it and nothing is open in it; whether it did. */
  async releaseIfIdle(): Promise<boolean> {
    const t = this.thread;
    if (!t || !this.isIdle()) return false;
    this.thread = undefined;
    clearTimeout(this.idleTimer);
    await this.retire(t);
    return true;
  }

  startThread(memoryMb: number): void {
    this.threadMemory = memoryMb;
    this.threadHeapBytes = 0;
    this.kept = new Set();
    // execArgv [] keeps the TypeScript loader out of the thread: that is the point of it.
    const t = new Worker(path.join(__dirname, 'pdfjs-thread.mjs'), {
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    });
    t.unref(); // an idle thread must not keep the process alive
    this.thread = t;
    this.threadId = ++threadNumber;
    t.on('message', (m: { id: number; step?: true; opened?: true; ok?: boolean; value?: unknown; error?: PdfThreadError; heap?: number }) => {
      const job = this.current;
      if (this.thread !== t || !job || job.id !== m.id) return;
      if (m.heap !== undefined) this.threadHeapBytes = m.heap;
      if (m.opened) {
        documentsOpened++;
        return;
      }
      if (m.step) {
        pagesRead++;
        if (job.deadline !== undefined && job.call.perStepMs) job.deadline += job.call.perStepMs;
        return;
      }
      this.finish(job);
      if (m.ok) job.resolve({ value: m.value, thread: this.threadId });
      else job.reject(m.error ?? { name: 'Error', message: 'pdf.js failed' });
    });
    const died = (err: Error & { code?: string }) => {
      if (this.thread !== t) return; // terminated on purpose: already dealt with
      this.thread = undefined;
      this.pins = new Set(); // what they held died with the thread
      const job = this.current;
      if (job) {
        this.finish(job);
        // The heap cap is there for this: the document asked for more than a statement needs.
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') job.reject(tooComplex('needs more memory to read than a statement may take'));
        else job.reject({ name: PDF_THREAD_STOPPED, message: `the pdf.js thread stopped: ${err.message}` });
      }
      this.pump();
    };
    t.on('error', died);
    t.on('exit', (code) => died(new Error(`exit code ${code}`)));
  }

  /** The request under way is over: its timer and abort listener go, and the thread is free. */
  finish(job: Job): void {
    clearTimeout(job.timer);
    if (job.onAbort) job.call.signal?.removeEventListener('abort', job.onAbort);
    if (this.current === job) this.current = undefined;
    queueMicrotask(() => this.pump());
  }

  /** Stops the thread under `job` (terminated wherever pdf.js is) and fails the job with `error`. */
  kill(job: Job, error: unknown): void {
    const t = this.thread;
    this.thread = undefined;
    this.pins = new Set();
    this.finish(job);
    job.reject(error);
    if (t) void this.retire(t);
  }

  /** Terminates a thread no longer current; queued requests start on a new one once it is gone. */
  async retire(t: Worker): Promise<void> {
    const gone = t.terminate().then(
      () => undefined,
      () => undefined,
    );
    this.stopping = gone;
    await gone;
    if (this.stopping === gone) this.stopping = undefined;
    this.pump();
  }

  armTimer(job: Job): void {
    if (job.deadline === undefined) return;
    const left = job.deadline - performance.now();
    if (left <= 0) return this.kill(job, tooComplex('takes too long to read'));
    job.timer = setTimeout(() => this.armTimer(job), left);
    job.timer.unref(); // a busy thread keeps the process alive already
  }

  /**
   * A chunk of pages waiting on another text lane, which this free lane can read instead:
   * the oldest one not bound to its thread. A chunk goes to the least loaded lane when it
   * arrives, but which lane frees first is not known then.
   */
  takeWaitingChunk(): boolean {
    if (this.index >= Math.max(1, limits.textThreads)) return false;
    for (const other of lanes) {
      if (other === this) continue;
      const at = other.queue.findIndex((j) => SPREAD_OPS.has(j.request.op) && j.call.thread === undefined);
      if (at < 0) continue;
      const [job] = other.queue.splice(at, 1);
      job.lane = this;
      this.queue.push(job);
      return true;
    }
    return false;
  }

  /** Starts queued requests while the thread is free, taking over another lane's waiting chunk when it has none. */
  pump(): void {
    while (!this.current && !this.stopping && (this.queue.length > 0 || this.takeWaitingChunk())) {
      const job = this.queue.shift()!;
      if (job.call.thread !== undefined && (this.thread === undefined || job.call.thread !== this.threadId)) {
        this.finish(job);
        job.reject({ name: PDF_THREAD_REPLACED, message: 'the pdf.js thread holding the document was replaced' });
        continue;
      }
      try {
        // A request with a heap limit of its own gets a thread started with it.
        const memoryMb = job.call.threadMemoryMb ?? limits.threadMemoryMb;
        if (this.thread && !this.threadUsed && this.threadMemory !== memoryMb) {
          this.queue.unshift(job); // runs on the thread started once this one is gone
          const fresh = this.thread;
          this.thread = undefined;
          void this.retire(fresh);
          return;
        }
        if (!this.thread) this.startThread(memoryMb);
        const thread = this.thread!;
        this.threadUsed = true;
        clearTimeout(this.idleTimer);
        thread.ref(); // busy: keep the process alive until the answer
        // The PDF goes as a copy, transferred rather than cloned: pdf.js takes ownership of its
        // buffer, and the caller's stays intact (the OCR step still needs it after extraction).
        // Copied only now, so a queued request holds no second copy of its file.
        const data = job.request.data ? new Uint8Array(job.request.data) : undefined;
        thread.postMessage({ ...job.request, ...(data ? { data } : {}), id: job.id }, data ? [data.buffer as ArrayBuffer] : []);
        if (typeof job.request.keep === 'string') this.kept.add(job.request.keep);
        this.current = job;
      } catch (err) {
        // No thread could be started, or the request could not be sent: this request fails
        // (retryable, nothing is known about the file) and the next one tries afresh.
        this.finish(job);
        job.reject({ name: PDF_THREAD_STOPPED, message: `the pdf.js thread could not take the request: ${(err as Error).message}` });
        continue;
      }
      if (job.call.timeoutMs !== undefined) {
        job.deadline = performance.now() + job.call.timeoutMs;
        this.armTimer(job);
      }
    }
    if (!this.current && this.queue.length === 0) {
      this.thread?.unref();
      this.scheduleIdleStop();
    }
  }
}

/** The lanes, created as text reads first need them; the first also takes every rendering request. */
const lanes: Lane[] = [new Lane(0)];

/**
 * The lane for a request. One for a document held open in a given thread goes to that
 * thread's lane; a chunk of pages to the least loaded of the first `textThreads` lanes,
 * preferring, among equally loaded ones, a lane whose thread holds the document open
 * already, then the first (its thread is the warm one); anything else to the first
 * (SPREAD_OPS).
 */
function laneFor(request: Request, call: PdfThreadCall): Lane {
  if (call.thread !== undefined) return lanes.find((l) => l.threadId === call.thread) ?? lanes[0];
  if (!SPREAD_OPS.has(request.op)) return lanes[0];
  const count = Math.max(1, limits.textThreads);
  while (lanes.length < count) lanes.push(new Lane(lanes.length));
  const key = typeof request.keep === 'string' ? request.keep : undefined;
  let best = lanes[0];
  const rank = (l: Lane) => l.load() * 2 + (key !== undefined && l.kept.has(key) ? 0 : 1);
  for (const lane of lanes.slice(1, count)) if (rank(lane) < rank(best)) best = lane;
  return best;
}

/** Sends one request to a pdf.js thread; the answer is its value and which thread gave it. */
export function askPdfThreadOn<T>(request: Request, call: PdfThreadCall = {}): Promise<{ value: T; thread: number }> {
  const { signal } = call;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const lane = laneFor(request, call);
  return new Promise<{ value: T; thread: number }>((resolve, reject) => {
    const job: Job = { id: nextId++, lane, request, call, resolve: resolve as Job['resolve'], reject };
    if (signal) {
      job.onAbort = () => {
        const on = job.lane;
        if (on.current === job) return on.kill(job, signal.reason);
        const at = on.queue.indexOf(job);
        if (at >= 0) on.queue.splice(at, 1);
        on.finish(job);
        reject(signal.reason);
      };
      signal.addEventListener('abort', job.onAbort, { once: true });
    }
    lane.queue.push(job);
    lane.pump();
  });
}

/** Sends one request to a pdf.js thread (see askPdfThreadOn). */
export async function askPdfThread<T>(request: Request, call: PdfThreadCall = {}): Promise<T> {
  return (await askPdfThreadOn<T>(request, call)).value;
}

/**
 * Keeps a thread from being stopped as idle (by the idle timer or releasePdfThreadIfIdle)
 * until the returned release is called: for state held in the thread between requests,
 * such as a document kept open for rendering. `thread` is the one holding it (as
 * askPdfThreadOn answered); without it, the first lane's. A release after the thread
 * died is harmless.
 */
export function pinPdfThread(thread?: number): () => void {
  const lane = (thread !== undefined && lanes.find((l) => l.threadId === thread)) || lanes[0];
  const pin = Symbol('pdf-thread-pin');
  const held = lane.pins;
  held.add(pin);
  return () => {
    held.delete(pin);
    lane.scheduleIdleStop();
  };
}

/**
 * Stops every thread that nothing is waiting on and no document is open in, giving its
 * memory back; the next request starts a new one. True when it stopped a thread and none
 * is left running. The parse step calls this before it holds a whole statement's pages,
 * which it reads without pdf.js.
 */
export async function releasePdfThreadIfIdle(): Promise<boolean> {
  const stopped = await Promise.all(lanes.map((l) => l.releaseIfIdle()));
  return stopped.some(Boolean) && !pdfThreadRunning();
}

/** Stops every thread whatever it is doing (tests that simulate a crash); the next request starts a new one. */
export async function stopPdfThread(): Promise<void> {
  await Promise.all(lanes.map((l) => l.thread?.terminate()));
}

/** The first lane's thread: a new number each time one is started in any lane (tests). */
export const pdfThreadGeneration = (): number => lanes[0].threadId;

/** Whether any pdf.js thread is running (tests). */
export const pdfThreadRunning = (): boolean => lanes.some((l) => l.thread !== undefined);

/** How many pdf.js threads are running (tests of reads side by side). */
export const pdfThreadsRunning = (): number => lanes.filter((l) => l.thread !== undefined).length;

/** Pages of text read so far by this process's pdf.js threads (tests count a document's work with it). */
export const pdfPagesRead = (): number => pagesRead;

/** Documents opened for text so far by this process's pdf.js threads (tests). */
export const pdfDocumentsOpened = (): number => documentsOpened;

/** Whether a thread is working on a request (tests wait for this before they abort one). */
export const pdfThreadBusy = (): boolean => lanes.some((l) => l.current !== undefined);
