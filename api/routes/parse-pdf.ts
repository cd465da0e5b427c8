/**
 * POST /upload_pdf_async: store each PDF in the shared file store, then start parsePdf for
 * it. One file answers with its task; several (a batch, up to MAX_FILES_PER_UPLOAD) answer
 * with a batch id and one entry per file: a task, or the error that refused that file
 * (empty, not a PDF) while the others go on. A `password` field opens locked statements
 * (the same password for every file of a batch); it is stored sealed until the parse ends
 * (db/upload-secrets.ts) and goes nowhere else.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import multer from '@koa/multer';
import type { Context, Middleware } from 'koa';
import { AppError, BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../contract/errors';
import type { FileStore } from '../../db/files';
import { uploadFileKey } from '../../contract/file-keys';
import { CHUNKS_PER_TEXT_THREAD, SUBMITTED_MESSAGES } from '../../contract/tasks';
import { createBatch, deleteBatch, batchOfTask, removeFromBatch, type RejectedFile } from '../../db/batches';
import { announceBatchIfDone } from '../../platform/task-announce';
import { deleteUploadPassword, saveUploadPassword } from '../../db/upload-secrets';
import { sessionOfFile, type SessionRecord } from '../../db/sessions';
import { createSecretBox } from '../../platform/secret-box';
import { limitConcurrentUploads } from '../middleware/upload-slots';
import { readIdempotencyKey, submitTask, type SubmitDeps } from '../task-submission';
import { readCallbackFields, withoutCallbackSecret } from '../callback-fields';
import { isoDay } from '../json-values';

const CLIENT_ID = /^[\w.-]{1,64}$/;
/** Longest password accepted; bank statement passwords are an ID number or a few words. */
export const MAX_PASSWORD_LENGTH = 256;
/**
 * What a multipart body carries besides its files' bytes (part headers, form fields), per
 * upload slot: a request may be this much over its files and still take the slots its
 * files need.
 */
const MULTIPART_ALLOWANCE = 256 * 1024;

interface UploadedFile {
  buffer: Buffer;
  originalname: string;
}

/** A file name safe to store and to echo in Content-Disposition. */
export function safeFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^\w.\- ()]/g, '_').replace(/^\.+/, '').slice(0, 120).trim();
  return cleaned || fallback;
}

/** The body's declared length, or null (a chunked body). */
function declaredLength(ctx: Context): number | null {
  const raw = ctx.get('Content-Length');
  return /^\d+$/.test(raw) ? Number(raw) : null;
}

interface UploadLimits {
  maxFileBytes: number;
  maxFiles: number;
  /** Upload slots one request may hold (min of MAX_CONCURRENT_UPLOADS and the per-user share). */
  maxSlots: number;
}

/** One upload slot per file's worth of body (MAX_UPLOAD_BYTES plus the multipart allowance). */
const slotBytes = (l: UploadLimits) => l.maxFileBytes + MULTIPART_ALLOWANCE;

/** Slots the request needs: a body without a declared length may carry one file, so one slot. */
function slotsFor(ctx: Context, l: UploadLimits): number {
  const length = declaredLength(ctx);
  return length === null ? 1 : Math.max(1, Math.ceil(length / slotBytes(l)));
}

/**
 * Multer keeps every file of the request in memory until the route has stored them, so a
 * request is bounded before it is read: its declared length is at most the slots it may
 * hold, and Node stops reading a body at its Content-Length. One without a length may
 * carry a single file, as before batches.
 */
function refuseOversizedBody(l: UploadLimits): Middleware {
  return async (ctx, next) => {
    const length = declaredLength(ctx);
    const most = l.maxSlots * slotBytes(l);
    if (length !== null && length > most) {
      throw new PayloadTooLargeError(
        `The upload is ${length} bytes; one request may carry at most ${most} bytes in all (each file at most ${l.maxFileBytes}). Send the files in several requests`,
        'UPLOAD_TOO_LARGE',
      );
    }
    return next();
  };
}

function receivePdfs(l: UploadLimits): Middleware {
  const make = (files: number) =>
    multer({ storage: multer.memoryStorage(), limits: { fileSize: l.maxFileBytes, files, fields: 10, fieldSize: 4096 } }).array('file', files);
  const many = make(l.maxFiles);
  const one = make(1);
  return async (ctx, next) => {
    if (!ctx.is('multipart/form-data')) throw new BadRequestError('Send the PDF as multipart/form-data in a part named "file"', 'MISSING_FILE');
    const chunked = declaredLength(ctx) === null;
    try {
      await (chunked ? one : many)(ctx, async () => undefined);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE') throw new PayloadTooLargeError(`The file is larger than ${l.maxFileBytes} bytes`, 'FILE_TOO_LARGE');
      if (code === 'LIMIT_FILE_COUNT' || (code === 'LIMIT_UNEXPECTED_FILE' && (err as { field?: string }).field === 'file')) {
        throw new BadRequestError(
          chunked
            ? 'A request without Content-Length may carry one file; send a batch with its length'
            : `At most ${l.maxFiles} files may be sent in one request`,
          'TOO_MANY_FILES',
        );
      }
      if (code?.startsWith('LIMIT_')) throw new BadRequestError((err as Error).message, 'BAD_UPLOAD');
      throw new BadRequestError('The multipart body could not be read', 'BAD_UPLOAD');
    }
    return next();
  };
}

/** Why a file cannot be parsed at all, before anything is stored; null when it may be. */
function refusal(file: UploadedFile): AppError | null {
  if (file.buffer.length === 0) return new BadRequestError('The uploaded file is empty', 'EMPTY_FILE');
  if (!file.buffer.subarray(0, 1024).includes('%PDF-')) return new UnsupportedMediaTypeError('The file is not a PDF', 'NOT_A_PDF');
  return null;
}

/** `reparse=true` parses a file again that was parsed before; anything else but false/absent is refused. */
function readReparse(raw: unknown): boolean {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new BadRequestError('reparse must be true or false', 'BAD_REPARSE');
}

/** The result of a task for a file the user had parsed already: that session, nothing parsed again. */
function duplicateResult(s: SessionRecord) {
  return {
    status: 'success' as const,
    duplicate_of: s.id,
    session_id: s.id,
    transaction_count: s.transaction_count,
    bank_source: s.bank_source ?? '',
    period_start: isoDay(s.period_start),
    period_end: isoDay(s.period_end),
    reconciled: s.reconciled === true,
    review_required: s.reconciled !== true,
  };
}

function readPassword(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > MAX_PASSWORD_LENGTH) {
    throw new BadRequestError(`password must be one text field of at most ${MAX_PASSWORD_LENGTH} characters`, 'BAD_PASSWORD');
  }
  return raw;
}

export function parsePdfRoutes(deps: SubmitDeps & { files: FileStore }): Router {
  const router = new Router();
  const { config } = deps;
  const box = createSecretBox(config.fileSecretKey);
  const limits: UploadLimits = {
    maxFileBytes: config.maxUploadBytes,
    maxFiles: config.maxFilesPerUpload,
    maxSlots: Math.min(config.maxConcurrentUploads, config.maxConcurrentUploadsPerUser),
  };
  // An Idempotency-Key is bound to the request's fields; the password is one of them, but
  // only as a keyed hash, so neither the hash nor the stored request reveals it.
  /** How the workflow reads a statement, from the configuration: the same for every upload. */
  const reading = {
    pagesPerChunk: config.pdf.pagesPerChunk,
    fastPathMaxPages: config.pdf.fastPathMaxPages,
    chunksAtOnce: CHUNKS_PER_TEXT_THREAD * config.pdf.textThreads,
  };
  const passwordTag = (password: string) => createHmac('sha256', config.fileSecretKey).update(`idempotency password\0${password}`).digest('hex');

  router.post(
    '/upload_pdf_async',
    refuseOversizedBody(limits),
    limitConcurrentUploads({
      max: config.maxConcurrentUploads,
      perUser: config.maxConcurrentUploadsPerUser,
      waitMs: config.uploadWaitSeconds * 1000,
      weight: (ctx) => slotsFor(ctx, limits),
    }),
    receivePdfs(limits),
    async (ctx) => {
      // Multer's types say the files are always there; none when no part was named "file".
      const files = ((ctx.files as unknown as UploadedFile[] | undefined) ?? []).filter(Boolean);
      if (files.length === 0) throw new BadRequestError('No file part named "file" was sent', 'MISSING_FILE');
      const body = (ctx.request.body ?? {}) as Record<string, unknown>;
      const clientIdRaw = body.client_id;
      if (clientIdRaw !== undefined && (typeof clientIdRaw !== 'string' || !CLIENT_ID.test(clientIdRaw))) {
        throw new BadRequestError('client_id must be 1–64 letters, digits, dots, dashes or underscores', 'BAD_CLIENT_ID');
      }
      const clientId = (clientIdRaw as string | undefined) ?? null;
      const password = readPassword(body.password);
      const reparse = readReparse(body.reparse);
      // Every file's task (a batch's too) announces its end to the same callback.
      const callback = readCallbackFields(body, config);
      // The fields an Idempotency-Key is bound to: neither secret, in any form but the password's keyed hash below.
      const fields = withoutCallbackSecret(Object.fromEntries(Object.entries(body).filter(([name]) => name !== 'password')));
      const idempotencyKey = readIdempotencyKey(ctx.get('Idempotency-Key') || undefined);
      const userId: string = ctx.state.userId;

      // A file whose submission is abandoned leaves its batch; if the batch's other tasks had
      // all ended by then, none is left to mark it complete (see the end of the batch below).
      let leftBatch = false;
      const leaveBatch = async (taskId: string) => {
        await removeFromBatch(deps.db, taskId);
        leftBatch = true;
      };

      /** Stores one file (and the password) and submits its task. */
      const submitOne = async (file: UploadedFile, taskId: string, extra: { keySuffix: string; batchId?: string }) => {
        const sessionId = randomUUID();
        const fileName = safeFileName(file.originalname, 'statement.pdf');
        // The same file parsed before by this user: a task that ends at once naming that
        // session, nothing stored or parsed again (unless reparse=true).
        const sha256 = createHash('sha256').update(file.buffer).digest('hex');
        const earlier = reparse ? undefined : await sessionOfFile(deps.db, userId, sha256);
        if (earlier) {
          const submitted = await submitTask(deps, {
            taskId,
            userId,
            taskName: 'parse_pdf_async',
            idempotencyKey: idempotencyKey === undefined ? undefined : idempotencyKey + extra.keySuffix,
            request: { method: ctx.method, path: ctx.path, params: { file_sha256: sha256, file_name: fileName, fields, ...(extra.batchId ? { batch_position: extra.keySuffix } : {}) } },
            clientId,
            callback,
            params: { file_name: fileName, client_id: clientId, session_id: earlier.id, sha256, duplicate_of: earlier.id },
            memo: { file_name: fileName, session_id: earlier.id, duplicate_of: earlier.id },
            onAbandoned: async () => {
              if (extra.batchId) await leaveBatch(taskId);
            },
            answeredAtOnce: { message: 'Already parsed: this file was uploaded before', result: duplicateResult(earlier) },
            input: { fileKey: '', fileName, clientId, sessionId: earlier.id, ...reading },
          });
          return { ...submitted, fileName };
        }
        const fileKey = uploadFileKey(taskId, fileName);
        // The store hashes the file as it writes it: its sha256 is not computed twice.
        const stored = await deps.files.put({ fileKey, userId, kind: 'upload', filename: fileName, contentType: 'application/pdf' }, file.buffer);
        // Before the start, so the first activity finds it.
        if (password !== undefined) await saveUploadPassword(deps.db, box, taskId, password);
        const submitted = await submitTask(deps, {
          taskId,
          userId,
          taskName: 'parse_pdf_async',
          idempotencyKey: idempotencyKey === undefined ? undefined : idempotencyKey + extra.keySuffix,
          // The upload is its bytes, their name and the form fields: the same upload sent again matches.
          request: {
            method: ctx.method,
            path: ctx.path,
            params: {
              file_sha256: stored.sha256,
              file_name: fileName,
              fields,
              password: password === undefined ? undefined : passwordTag(password),
              ...(extra.batchId ? { batch_position: extra.keySuffix } : {}),
            },
          },
          clientId,
          callback,
          params: { file_name: fileName, client_id: clientId, session_id: sessionId, sha256: stored.sha256 },
          memo: { file_name: fileName, session_id: sessionId, ...(clientId ? { client_id: clientId } : {}) },
          onAbandoned: async () => {
            await deps.files.delete(fileKey);
            await deleteUploadPassword(deps.db, taskId);
            if (extra.batchId) await leaveBatch(taskId);
          },
          input: { fileKey, fileName, clientId, sessionId, ...reading },
        });
        return { ...submitted, fileName };
      };

      if (files.length === 1) {
        const bad = refusal(files[0]);
        if (bad) throw bad;
        const { taskId: id } = await submitOne(files[0], randomUUID(), { keySuffix: '' });
        ctx.status = 202;
        ctx.body = { task_id: id, status: 'submitted', message: SUBMITTED_MESSAGES.parse_pdf_async };
        return;
      }

      // A batch. Refused files get an entry with their error; if every file is refused, the
      // request fails as a single bad file would.
      const checked = files.map((file) => ({ file, bad: refusal(file), taskId: randomUUID() }));
      const good = checked.filter((c) => !c.bad);
      if (good.length === 0) throw checked[0].bad!;
      const rejected: RejectedFile[] = checked
        .filter((c) => c.bad)
        .map((c) => ({ file_name: safeFileName(c.file.originalname, 'statement.pdf'), error: { code: c.bad!.code, message: c.bad!.message } }));
      const batchId = randomUUID();
      // Every task is linked before the first starts: one that ends at once already counts in its batch.
      await createBatch(deps.db, { batchId, userId, taskIds: good.map((c) => c.taskId), rejected });
      type Entry = { task_id?: string; file_name: string; status: 'submitted' | 'rejected'; error?: { code: string; message: string } };
      const entries: Entry[] = [];
      let replayedBatch: string | null = null;
      let fresh = 0;
      for (const [position, c] of checked.entries()) {
        const fileName = safeFileName(c.file.originalname, 'statement.pdf');
        if (c.bad) {
          entries.push({ file_name: fileName, status: 'rejected', error: { code: c.bad.code, message: c.bad.message } });
          continue;
        }
        try {
          const s = await submitOne(c.file, c.taskId, { keySuffix: `#${position}`, batchId });
          if (s.existing) replayedBatch ??= await batchOfTask(deps.db, s.taskId);
          else fresh += 1;
          entries.push({ task_id: s.taskId, file_name: fileName, status: 'submitted' });
        } catch (err) {
          // The first file failing is the request failing (e.g. the task engine is down): nothing was started.
          if (entries.every((e) => e.status === 'rejected') && fresh === 0) {
            await deleteBatch(deps.db, batchId);
            throw err;
          }
          if (!(err instanceof AppError)) throw err;
          entries.push({ file_name: fileName, status: 'rejected', error: { code: err.code, message: err.message } });
        }
      }
      // The same batch sent again with its Idempotency-Key: every task is the earlier one's.
      const id = fresh === 0 && replayedBatch ? replayedBatch : batchId;
      if (id !== batchId) await deleteBatch(deps.db, batchId);
      else if (leftBatch) {
        await announceBatchIfDone(deps.temporal, deps.db, batchId).catch((err: Error) =>
          deps.logger.warn('the end of a batch left by an abandoned submission was not announced', { batch_id: batchId, error: err.message }),
        );
      }
      ctx.status = 202;
      ctx.body = {
        batch_id: id,
        tasks: entries,
        status: 'submitted',
        message: `${entries.filter((e) => e.task_id).length} of ${files.length} statements submitted; follow them at GET /batches/${id}`,
      };
    },
  );
  return router;
}
