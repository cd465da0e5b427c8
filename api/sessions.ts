import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../contract/errors';

/** A session of the caller's that is READY; anyone else's answers exactly like a missing one. */
export async function findReadySession(db: Knex, userId: string, sessionId: string) {
  const session = await db('sessions').where({ id: sessionId, user_id: userId }).first();
  if (!session) throw new NotFoundError('Session not found', 'SESSION_NOT_FOUND');
  if (session.status !== 'READY') {
    throw new ConflictError(`The session is ${session.status.toLowerCase()}, not ready`, 'SESSION_NOT_READY');
  }
  return session;
}
