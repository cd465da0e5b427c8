/** GET /download_file?file_key=: stream a stored file to its owner, and to no one else. */
import Router from '@koa/router';
import { BadRequestError, NotFoundError } from '../../contract/errors';
import type { FileStore } from '../../db/files';

/** Only the shapes the service itself produces; anything else is refused before any lookup. */
const FILE_KEY = /^(reports|uploads)\/[0-9a-f-]{36}\/[\w.\- ()]{1,160}$/i;

export function validateFileKey(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw new BadRequestError('file_key is required', 'BAD_FILE_KEY');
  if (raw.length > 300 || raw.includes('..') || raw.includes('\\') || raw.includes('%') || !FILE_KEY.test(raw)) {
    throw new BadRequestError('file_key is not a valid file key', 'BAD_FILE_KEY');
  }
  return raw;
}

export function downloadRoutes(deps: { files: FileStore }): Router {
  const router = new Router();
  router.get('/download_file', async (ctx) => {
    const key = validateFileKey(ctx.query.file_key);
    const meta = await deps.files.statForUser(key, ctx.state.userId);
    if (!meta || meta.kind === 'work') throw new NotFoundError('File not found', 'FILE_NOT_FOUND');
    ctx.set('Content-Type', meta.contentType);
    ctx.set('Content-Length', String(meta.size));
    ctx.set('Content-Disposition', `attachment; filename="${meta.filename.replace(/"/g, '')}"`);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = deps.files.createReadStream(meta);
  });
  return router;
}
