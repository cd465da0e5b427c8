/**
 * The files a process wrote or read in the last minute, kept in memory for its next reads
 * of them: a long statement's upload is read by each of its chunk activities, and its work
 * files, written by those, are read back by its parse step, mostly on the same worker. From
 * Postgres each read decodes the bytes from hex text: 9 MB of work files and 20 MB of upload
 * reads cost a 503-page statement ~0.3 s of the worker's main thread (bench/RESULTS.md).
 *
 * Only a hint: the file store checks every hit against the stored file's sha256, read from
 * the database on each read, so a file deleted or written again anywhere is never served
 * from here. Bounded in bytes (oldest use first out), and emptied of what is not used for
 * a minute, so an idle worker holds nothing.
 */

/** The whole cache, past which the least recently used files go. */
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
/** A file not used for this long goes. */
const DEFAULT_IDLE_MS = 60_000;

interface Entry {
  sha256: string;
  data: Buffer;
  usedAt: number;
}

export class RecentFiles {
  /** In order of last use, oldest first (a Map keeps insertion order; a use re-inserts). */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxBytes = DEFAULT_MAX_BYTES,
    private readonly idleMs = DEFAULT_IDLE_MS,
  ) {}

  /** The file's bytes if kept with this sha256. The Buffer is shared: callers must not change it. */
  get(fileKey: string, sha256: string | null): Buffer | undefined {
    const e = this.entries.get(fileKey);
    if (!e) return undefined;
    if (sha256 === null || e.sha256 !== sha256) {
      this.forget(fileKey);
      return undefined;
    }
    this.entries.delete(fileKey);
    e.usedAt = Date.now();
    this.entries.set(fileKey, e);
    return e.data;
  }

  /** Keeps the file's bytes (not a file bigger than a quarter of the cache: it would push out the rest). */
  set(fileKey: string, sha256: string | null, data: Buffer): void {
    this.forget(fileKey);
    if (sha256 === null || data.byteLength > this.maxBytes / 4) return;
    this.entries.set(fileKey, { sha256, data, usedAt: Date.now() });
    this.bytes += data.byteLength;
    for (const [key] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.forget(key);
    }
    this.armSweep();
  }

  forget(fileKey: string): void {
    const e = this.entries.get(fileKey);
    if (!e) return;
    this.entries.delete(fileKey);
    this.bytes -= e.data.byteLength;
  }

  forgetPrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.forget(key);
  }

  /** Bytes held (tests). */
  get size(): number {
    return this.bytes;
  }

  /** While anything is kept, a timer (which never keeps the process alive) drops what went unused. */
  private armSweep(): void {
    if (this.sweep) return;
    this.sweep = setInterval(() => {
      const cutoff = Date.now() - this.idleMs;
      for (const [key, e] of [...this.entries]) if (e.usedAt <= cutoff) this.forget(key);
      if (this.entries.size === 0) {
        clearInterval(this.sweep);
        this.sweep = undefined;
      }
    }, Math.max(10, this.idleMs / 4));
    this.sweep.unref();
  }
}
