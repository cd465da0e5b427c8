/**
 * Announcing a task's end when no workflow of its own will: a task answered at once (a
 * statement uploaded again, answered as a duplicate) and a task whose workflow closed
 * without writing its end (the hard time limit, a terminate from the Web UI), settled by
 * platform/task-reconcile.ts. A task's own workflow announces its end itself
 * (workflows/task-run.ts); this starts the same delivery workflow, under the same id
 * (`<task id>-webhooks`), so an end is never announced twice. And a batch that a file's
 * abandoned submission left complete but unmarked (announceBatchIfDone).
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { SYSTEM_USER_ID, TASK_END_EVENTS, TASK_TYPES, type TaskName, type TaskWebhooksInput } from '../contract/tasks';
import { someoneAwaitsTaskEnd } from '../db/webhooks';
import { unmarkedEndedBatch } from '../db/batches';

export interface EndedTask {
  taskId: string;
  userId: string;
  taskName: TaskName;
  status: keyof typeof TASK_END_EVENTS;
}

/**
 * Starts the delivery of the task's end event (and of its batch's, when it was the last),
 * if anyone awaits it; whether it did. A delivery already started for this task is left as
 * it is.
 */
export async function announceTaskEnd(client: Client, db: Knex, task: EndedTask): Promise<boolean> {
  if (task.userId === SYSTEM_USER_ID) return false;
  const input: TaskWebhooksInput = { taskId: task.taskId, userId: task.userId, taskName: task.taskName, event: TASK_END_EVENTS[task.status] };
  if (!(await someoneAwaitsTaskEnd(db, input))) return false;
  try {
    await client.workflow.start('deliverTaskWebhooks', { taskQueue: TASK_TYPES[task.taskName].queue, workflowId: `${task.taskId}-webhooks`, args: [input] });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/**
 * A batch that a file's abandoned submission left with every task ended and no
 * batch.completed: started after the submissions, this runs the delivery workflow of the
 * batch's last task once more, under the batch's own id (`<batch id>-batch-completed`). Its
 * prepare marks the batch and books batch.completed (once, whoever asks: completeBatchIfDone),
 * and a delivery also handed to the task's own workflow is sent by one of them only
 * (claimDelivery). Whether it started one.
 */
export async function announceBatchIfDone(client: Client, db: Knex, batchId: string): Promise<boolean> {
  const last = await unmarkedEndedBatch(db, batchId);
  if (!last) return false;
  const input: TaskWebhooksInput = { taskId: last.taskId, userId: last.userId, taskName: 'parse_pdf_async', event: TASK_END_EVENTS[last.status] };
  try {
    await client.workflow.start('deliverTaskWebhooks', { taskQueue: TASK_TYPES.parse_pdf_async.queue, workflowId: `${batchId}-batch-completed`, args: [input] });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
