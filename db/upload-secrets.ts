/**
 * A locked statement's password between its upload and the end of its parse: sealed with
 * the secret box under the 'upload-password' purpose and bound to the task id, so the row
 * alone (a backup, a copied table) opens nothing, and a sealed value moved onto another
 * task's row does not open either. Written by the upload route, read by the parse
 * activities, deleted when the parse ends; the cleanup schedule sweeps what is left.
 */
import type { Knex } from 'knex';
import { TERMINAL_STATUSES } from '../contract/tasks';
import type { SecretBox } from '../platform/secret-box';

const PURPOSE = 'upload-password';

export async function saveUploadPassword(db: Knex, box: SecretBox, taskId: string, password: string): Promise<void> {
  const sealed = box.seal(PURPOSE, taskId, password);
  await db('upload_secrets').insert({ task_id: taskId, sealed }).onConflict('task_id').merge(['sealed']);
}

/**
 * The task's password, or undefined when none was sent (or it was already deleted). A row
 * that does not open (another FILE_SECRET_KEY, tampered with) throws SecretUnreadableError.
 */
export async function readUploadPassword(db: Knex, box: SecretBox, taskId: string): Promise<string | undefined> {
  const row = await db('upload_secrets').where({ task_id: taskId }).first<{ sealed: Buffer } | undefined>('sealed');
  return row ? box.open(PURPOSE, taskId, row.sealed) : undefined;
}

export async function deleteUploadPassword(db: Knex, taskId: string): Promise<void> {
  await db('upload_secrets').where({ task_id: taskId }).delete();
}

/**
 * Secrets no parse can still need: their task has ended (the parse's own delete did not
 * run, e.g. the workflow was terminated or timed out), or they are older than `before`
 * (an abandoned submission, or any row past the longest a parse may run). One batch;
 * returns how many rows it removed (or would remove, in a dry run).
 */
export async function deleteStaleUploadSecrets(db: Knex, before: Date, batch: { limit: number; offset: number }, dryRun: boolean): Promise<number> {
  const ids = (
    await db('upload_secrets as s')
      .leftJoin('task_status as t', 't.task_id', 's.task_id')
      .where('s.created_at', '<', before)
      .orWhereIn('t.status', TERMINAL_STATUSES as string[])
      .orderBy('s.task_id')
      .limit(batch.limit)
      .offset(batch.offset)
      .select<{ task_id: string }[]>('s.task_id')
  ).map((r) => r.task_id);
  if (!dryRun && ids.length) await db('upload_secrets').whereIn('task_id', ids).delete();
  return ids.length;
}
