/**
 * The caller's session, as the routes need it: anyone else's, or a malformed id, answers
 * exactly like a missing one, so ids cannot be probed.
 */
import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../contract/errors';
import { findSessionOfUser, type SessionRecord } from '../db/sessions';
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
