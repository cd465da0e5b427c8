/**
 * Progress, cancellation and sink failure for one render. Both renderers funnel every
 * wait (a progress callback, a full output buffer, a full compressor) through race(),
 * so an abort or a broken output stream ends the render within one wait, not at its end.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import type { RenderOptions } from './types';

export const DEFAULT_PROGRESS_EVERY = 5000;

type Stop = (reason: unknown) => void;

export class RenderPacer {
  readonly every: number;
  private lastReported = 0;
  private failure: { reason: unknown } | null = null;
  private readonly waiters = new Set<Stop>();
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly opts: Pick<RenderOptions, 'onProgress' | 'progressEvery' | 'signal'>,
    out: NodeJS.WritableStream,
  ) {
    const every = opts.progressEvery ?? DEFAULT_PROGRESS_EVERY;
    if (!Number.isSafeInteger(every) || every < 1) {
      throw new RangeError(`progressEvery must be a positive integer, got ${every}`);
    }
    this.every = every;

    const signal = opts.signal;
    if (signal) {
      const onAbort = () => this.stopWaiters(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    // Without these, a sink that fails mid-render leaves us waiting for a 'drain' or a
    // 'finish' that never comes — and an unhandled 'error' event would crash the worker.
    const onError = (err: unknown) => this.fail(err);
    const onClose = () => {
      if (!(out as Partial<Writable>).writableFinished) {
        this.fail(new Error('report output stream closed before the report was complete'));
      }
    };
    out.on('error', onError);
    out.on('close', onClose);
    this.cleanups.push(() => {
      out.removeListener('error', onError);
      out.removeListener('close', onClose);
    });
  }

  /** Throws the abort reason or the sink's error, if either has happened. */
  check(): void {
    this.opts.signal?.throwIfAborted();
    if (this.failure) throw this.failure.reason;
  }

  /** Records a failure from elsewhere in the pipeline (the zip, the sink) and wakes waiters. */
  fail(reason: unknown): void {
    if (this.failure) return;
    this.failure = { reason };
    this.stopWaiters(reason);
  }

  /** Call after each row; only every `every`th row does any work. */
  rowDone(rows: number): Promise<void> | undefined {
    return rows % this.every === 0 ? this.report(rows) : undefined;
  }

  /** The final progress call, unless the last periodic call already said this number. */
  async finish(rows: number): Promise<void> {
    if (rows !== this.lastReported) await this.report(rows);
  }

  /** Resolves like `p` unless the render is aborted or the sink fails first. */
  race<T>(p: PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const stop: Stop = (reason) => {
        this.waiters.delete(stop);
        reject(reason);
      };
      this.waiters.add(stop);
      p.then(
        (v) => {
          this.waiters.delete(stop);
          resolve(v);
        },
        (e: unknown) => {
          this.waiters.delete(stop);
          reject(e);
        },
      );
      try {
        this.check();
      } catch (e) {
        stop(e);
      }
    });
  }

  /** Waits for a writable's 'drain'. */
  async drain(stream: NodeJS.EventEmitter): Promise<void> {
    let onDrain: (() => void) | undefined;
    try {
      await this.race(new Promise<void>((resolve) => stream.once('drain', (onDrain = resolve))));
    } finally {
      if (onDrain) stream.removeListener('drain', onDrain);
    }
  }

  /** Lets I/O and zlib callbacks run, so a fast row source cannot starve the output. */
  async yieldTurn(): Promise<void> {
    await nextTurn();
    this.check();
  }

  dispose(): void {
    for (const c of this.cleanups.splice(0)) c();
    this.waiters.clear();
  }

  private async report(rows: number): Promise<void> {
    this.lastReported = rows;
    const cb = this.opts.onProgress;
    if (cb) {
      const r = cb(rows);
      if (r && typeof (r as Promise<void>).then === 'function') await this.race(r);
    }
    this.check();
  }

  private stopWaiters(reason: unknown): void {
    for (const stop of [...this.waiters]) stop(reason);
  }
}
