/**
 * The shared file store: uploads and reports live in Postgres, split into chunks, so any
 * API instance and any worker on any machine can read them with nothing but the database.
 * Writes stream chunk by chunk (memory stays flat for a large report); a file becomes
 * visible to readers only when `complete` is set, so a failed or cancelled write never
 * shows a partial file, and `abort()` removes what was written.
 */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import type { Knex } from 'knex';
import { sessionReportPrefix, workFilePrefix } from '../contract/file-keys';
import { likeStartsWith } from '../domain/rules/like-escape';
import type { RecentFiles } from './recent-files';

export type FileKind = 'upload' | 'report' | 'work';

export { sessionReportPrefix } from '../contract/file-keys';

/** A `like` pattern for the keys that start with `prefix` (any `%`, `_` or backslash in it taken literally). */
export const keyPrefixPattern = likeStartsWith;

/**
 * Deletes every stored file of a session: its upload, what is left of its parse's scratch
 * files, and all its reports; their chunks go with them (foreign key). It takes the
 * caller's handle, so inside a transaction the files go with the session's rows or not at
 * all. Only files of the session's owner are touched. Returns how many were deleted.
 */
export async function deleteSessionFiles(
  db: Knex,
  s: { userId: string; sessionId: string; uploadKey: string | null; parseTaskId: string | null },
): Promise<number> {
  return db('stored_files')
    .where({ user_id: s.userId })
    .andWhere((q) => {
      q.where('file_key', 'like', keyPrefixPattern(sessionReportPrefix(s.sessionId)));
      if (s.uploadKey) q.orWhere({ file_key: s.uploadKey });
      if (s.parseTaskId) q.orWhere('file_key', 'like', keyPrefixPattern(workFilePrefix(s.parseTaskId)));
    })
    .delete();
}

export interface NewFile {
  fileKey: string;
  userId: string;
  kind: FileKind;
  filename: string;
  contentType: string;
}

export interface StoredFile extends NewFile {
  size: number;
  sha256: string | null;
  chunkCount: number;
  complete: boolean;
  createdAt: Date;
}

const DEFAULT_CHUNK_BYTES = 1024 * 1024;

interface FileRow {
  file_key: string;
  user_id: string;
  kind: FileKind;
  filename: string;
  content_type: string;
  size: string;
  sha256: string | null;
  chunk_count: number;
  complete: boolean;
  created_at: Date;
}

function toStoredFile(r: FileRow): StoredFile {
  return {
    fileKey: r.file_key,
    userId: r.user_id,
    kind: r.kind,
    filename: r.filename,
    contentType: r.content_type,
    size: Number(r.size),
    sha256: r.sha256,
    chunkCount: r.chunk_count,
    complete: r.complete,
    createdAt: r.created_at,
  };
}

/** A streaming writer: write() buffers to whole chunks, finish() seals the file. */
export class FileWriter extends Writable {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private size = 0;
  private readonly hash = createHash('sha256');
  private started: Promise<void>;

  constructor(
    private readonly db: Knex,
    private readonly meta: NewFile,
    private readonly chunkBytes: number,
  ) {
    super();
    // A retried activity writes the same key again: start from nothing, never append.
    this.started = db.transaction(async (trx) => {
      await trx('stored_files').where({ file_key: meta.fileKey }).delete();
      await trx('stored_files').insert({
        file_key: meta.fileKey,
        user_id: meta.userId,
        kind: meta.kind,
        filename: meta.filename,
        content_type: meta.contentType,
        complete: false,
      });
    });
    this.started.catch(() => undefined); // surfaced by the first write or final
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    this.hash.update(buf);
    this.size += buf.length;
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    if (this.pendingBytes < this.chunkBytes) return cb();
    this.flushWhole().then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.seal().then(() => cb(), cb);
  }

  private async insertChunk(data: Buffer): Promise<void> {
    await this.started;
    await this.db('stored_file_chunks').insert({ file_key: this.meta.fileKey, idx: this.index, data });
    this.index += 1;
  }

  private async flushWhole(): Promise<void> {
    let all = Buffer.concat(this.pending, this.pendingBytes);
    while (all.length >= this.chunkBytes) {
      await this.insertChunk(all.subarray(0, this.chunkBytes));
      all = all.subarray(this.chunkBytes);
    }
    this.pending = all.length ? [Buffer.from(all)] : [];
    this.pendingBytes = all.length;
  }

  private async seal(): Promise<void> {
    await this.flushWhole();
    if (this.pendingBytes > 0) await this.insertChunk(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
    await this.started;
    await this.db('stored_files').where({ file_key: this.meta.fileKey }).update({
      size: this.size,
      sha256: this.hash.digest('hex'),
      chunk_count: this.index,
      complete: true,
    });
  }

  /** Remove everything written so far (failure or cancellation). */
  async abort(): Promise<void> {
    this.destroy();
    await this.started.catch(() => undefined);
    await this.db('stored_files').where({ file_key: this.meta.fileKey }).delete();
  }
}

export class FileStore {
  /**
   * `recent`: files this process wrote or read lately, kept for its next reads of them
   * (recent-files.ts). Workers have one; the API, which reads a file once, does not.
   */
  constructor(
    private readonly db: Knex,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
    private readonly recent?: RecentFiles,
  ) {}

  createWriter(meta: NewFile): FileWriter {
    return new FileWriter(this.db, meta, this.chunkBytes);
  }

  async put(meta: NewFile, data: Buffer): Promise<StoredFile> {
    const writer = this.createWriter(meta);
    await new Promise<void>((resolve, reject) => {
      writer.on('error', reject);
      writer.end(data, () => resolve());
    });
    const stored = await this.stat(meta.fileKey);
    if (!stored) throw new Error(`file ${meta.fileKey} vanished after write`);
    this.recent?.set(meta.fileKey, stored.sha256, data);
    return stored;
  }

  /** The file's metadata if it is complete, otherwise null. */
  async stat(fileKey: string): Promise<StoredFile | null> {
    const row = await this.db<FileRow>('stored_files').where({ file_key: fileKey, complete: true }).first();
    return row ? toStoredFile(row) : null;
  }

  /** Owner-scoped stat: another user's file is answered exactly like a missing one. */
  async statForUser(fileKey: string, userId: string): Promise<StoredFile | null> {
    const row = await this.db<FileRow>('stored_files')
      .where({ file_key: fileKey, user_id: userId, complete: true })
      .first();
    return row ? toStoredFile(row) : null;
  }

  /**
   * The whole file in memory: for uploads, which are bounded by MAX_UPLOAD_BYTES, and work
   * files. With `recent`, possibly a Buffer shared with other reads: not to be changed.
   */
  async read(fileKey: string): Promise<Buffer | null> {
    const meta = await this.stat(fileKey);
    if (!meta) return null;
    const kept = this.recent?.get(fileKey, meta.sha256);
    if (kept) return kept;
    const rows = await this.db('stored_file_chunks').where({ file_key: fileKey }).orderBy('idx').select('data');
    const data = Buffer.concat(rows.map((r: { data: Buffer }) => r.data));
    this.recent?.set(fileKey, meta.sha256, data);
    return data;
  }

  /** Streams a complete file one chunk query at a time. */
  createReadStream(meta: StoredFile): Readable {
    const db = this.db;
    let idx = 0;
    return new Readable({
      async read() {
        try {
          if (idx >= meta.chunkCount) return void this.push(null);
          const row = await db('stored_file_chunks').where({ file_key: meta.fileKey, idx }).first('data');
          idx += 1;
          if (!row) return void this.destroy(new Error(`chunk ${idx - 1} of ${meta.fileKey} is missing`));
          this.push(row.data);
        } catch (err) {
          this.destroy(err as Error);
        }
      },
    });
  }

  async delete(fileKey: string): Promise<boolean> {
    this.recent?.forget(fileKey);
    return (await this.db('stored_files').where({ file_key: fileKey }).delete()) > 0;
  }

  /** A parse's scratch files (its extracted pages), whatever chunks it wrote. */
  async deleteWorkFiles(taskId: string): Promise<void> {
    this.recent?.forgetPrefix(workFilePrefix(taskId));
    await this.db('stored_files').where('file_key', 'like', keyPrefixPattern(workFilePrefix(taskId))).delete();
  }

  /**
   * Deletes (in a dry run, only counts) one batch of `kind` files created before `cutoff`;
   * their chunks go with them (foreign key). Returns how many were in the batch.
   */
  async deleteOlderThan(kind: FileKind, cutoff: Date, batch: { limit: number; offset: number }, dryRun: boolean): Promise<number> {
    const keys = (
      await this.db<FileRow>('stored_files')
        .where({ kind })
        .andWhere('created_at', '<', cutoff)
        .orderBy('file_key')
        .limit(batch.limit)
        .offset(batch.offset)
        .select('file_key')
    ).map((r) => r.file_key);
    if (!dryRun && keys.length) await this.db('stored_files').whereIn('file_key', keys).delete();
    return keys.length;
  }
}
