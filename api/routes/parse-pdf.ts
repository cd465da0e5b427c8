/** POST /upload_pdf_async: store the PDF in the shared file store, then start parsePdf. */
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import multer from '@koa/multer';
import type { Middleware } from 'koa';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../contract/errors';
import type { FileStore } from '../../db/files';
import { uploadFileKey } from '../../contract/file-keys';
import { SUBMITTED_MESSAGES } from '../../contract/tasks';
import { limitConcurrentUploads } from '../middleware/upload-slots';
import { readIdempotencyKey, submitTask, type SubmitDeps } from '../task-submission';

const CLIENT_ID = /^[\w.-]{1,64}$/;

/** A file name safe to store and to echo in Content-Disposition. */
export function safeFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^\w.\- ()]/g, '_').replace(/^\.+/, '').slice(0, 120).trim();
  return cleaned || fallback;
}

function receiveOnePdf(maxBytes: number): Middleware {
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 4096 } });
  const single = upload.single('file');
  return async (ctx, next) => {
    if (!ctx.is('multipart/form-data')) throw new BadRequestError('Send the PDF as multipart/form-data in a part named "file"', 'MISSING_FILE');
    try {
      await single(ctx, async () => undefined);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'LIMIT_FILE_SIZE') throw new PayloadTooLargeError(`The file is larger than ${maxBytes} bytes`, 'FILE_TOO_LARGE');
      if (code?.startsWith('LIMIT_')) throw new BadRequestError((err as Error).message, 'BAD_UPLOAD');
      throw new BadRequestError('The multipart body could not be read', 'BAD_UPLOAD');
    }
    return next();
  };
}

export function parsePdfRoutes(deps: SubmitDeps & { files: FileStore }): Router {
  const router = new Router();
  router.post('/upload_pdf_async', limitConcurrentUploads({
    max: deps.config.maxConcurrentUploads,
    perUser: deps.config.maxConcurrentUploadsPerUser,
    waitMs: deps.config.uploadWaitSeconds * 1000,
  }), receiveOnePdf(deps.config.maxUploadBytes), async (ctx) => {
    // Multer's types say the file is always there; it is absent when no part was named "file".
    const file: { buffer: Buffer; originalname: string } | undefined = ctx.file;
    if (!file) throw new BadRequestError('No file part named "file" was sent', 'MISSING_FILE');
    if (file.buffer.length === 0) throw new BadRequestError('The uploaded file is empty', 'EMPTY_FILE');
    if (!file.buffer.subarray(0, 1024).includes('%PDF-')) {
      throw new UnsupportedMediaTypeError('The file is not a PDF', 'NOT_A_PDF');
    }
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const clientIdRaw = body.client_id;
    if (clientIdRaw !== undefined && (typeof clientIdRaw !== 'string' || !CLIENT_ID.test(clientIdRaw))) {
      throw new BadRequestError('client_id must be 1–64 letters, digits, dots, dashes or underscores', 'BAD_CLIENT_ID');
    }
    const clientId = (clientIdRaw as string | undefined) ?? null;
    const idempotencyKey = readIdempotencyKey(ctx.get('Idempotency-Key') || undefined);
    const userId: string = ctx.state.userId;
    const taskId = randomUUID();
    const sessionId = randomUUID();
    const fileName = safeFileName(file.originalname, 'statement.pdf');
    const fileKey = uploadFileKey(taskId, fileName);
    // The store hashes the file as it writes it: its sha256 is not computed twice.
    const stored = await deps.files.put({ fileKey, userId, kind: 'upload', filename: fileName, contentType: 'application/pdf' }, file.buffer);

    const { taskId: id } = await submitTask(deps, {
      taskId,
      userId,
      taskName: 'parse_pdf_async',
      idempotencyKey,
      // The upload is its bytes, their name and the form fields: the same upload sent again matches.
      request: { method: ctx.method, path: ctx.path, params: { file_sha256: stored.sha256, file_name: fileName, fields: body } },
      clientId,
      params: { file_name: fileName, client_id: clientId, session_id: sessionId, sha256: stored.sha256 },
      memo: { file_name: fileName, session_id: sessionId, ...(clientId ? { client_id: clientId } : {}) },
      onAbandoned: async () => void (await deps.files.delete(fileKey)),
      input: { fileKey, fileName, clientId, sessionId, pagesPerChunk: deps.config.pdf.pagesPerChunk, fastPathMaxPages: deps.config.pdf.fastPathMaxPages },
    });
    ctx.status = 202;
    ctx.body = { task_id: id, status: 'submitted', message: SUBMITTED_MESSAGES.parse_pdf_async };
  });
  return router;
}
