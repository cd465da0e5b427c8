/**
 * The caller's session, as the routes need it: anyone else's, or a malformed id, answers
 * exactly like a missing one, so ids cannot be probed.
 */
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../contract/errors';
import { deleteSessionOfUser, findSessionOfUser, type SessionRecord } from '../db/sessions';
import { isUuid } from './params';

export async function findOwnSession(db: Knex, userId: string, sessionId: string): Promise<SessionRecord> {
  const session = isUuid(sessionId) ? await findSessionOfUser(db, userId, sessionId) : undefined;
  if (!session) throw new NotFoundError('Session not found', 'SESSION_NOT_FOUND');
  return session;
}

/** The caller's session, which must be READY (parsed and saved) for rules and reports. */
export async function findReadySession(db: Knex, userId: string, sessionId: string): Promise<SessionRecord> {
  const session = await findOwnSession(db, userId, sessionId);
  if (session.status !== 'READY') {
    throw new ConflictError(`The session is ${session.status.toLowerCase()}, not ready`, 'SESSION_NOT_READY');
  }
  return session;
}

/**
 * Deletes the caller's session with its transactions, upload and reports. Missing, someone
 * else's and malformed ids all answer 404, so a second delete does too. A task still open
 * on the session answers 409 SESSION_BUSY naming it: the client cancels it first
 * (DELETE /tasks/{task_id}), since deleting the rows under a running task would only make
 * it fail halfway.
 */
export async function deleteOwnSession(db: Knex, userId: string, sessionId: string): Promise<string> {
  const done = isUuid(sessionId) ? await deleteSessionOfUser(db, userId, sessionId) : { outcome: 'not_found' as const };
  if (done.outcome === 'not_found') throw new NotFoundError('Session not found', 'SESSION_NOT_FOUND');
  if (done.outcome === 'busy') {
    throw new ConflictError('A task is still running on this session; cancel it first with DELETE /tasks/{task_id}', 'SESSION_BUSY', {
      task_id: done.taskId,
      task_name: done.taskName,
    });
  }
  return sessionId.toLowerCase();
}
