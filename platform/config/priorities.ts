/** The task queues, and TASK_PRIORITIES: per-queue weights turned into Temporal priority keys. */
import { ConfigError } from './parsers';

export const TASK_QUEUES = ['pdf_processing', 'bulk_operations', 'reports', 'default'] as const;
export type TaskQueue = (typeof TASK_QUEUES)[number];

/** Temporal's default priority range is 1..5 (1 runs first); a task without a key counts as 3. */
export const PRIORITY_KEY_FIRST = 1;
export const PRIORITY_KEY_LAST = 5;
export const PRIORITY_KEY_DEFAULT = 3;

/**
 * `pdf_processing:10,reports:5,default:1` (a weight per queue, higher = more urgent) → a
 * Temporal priority key per queue: the highest weight gets 1, the lowest 5, linear in
 * between; a queue not listed (or all weights equal) keeps Temporal's default, 3.
 */
export function queuePriorityKeys(spec: string): Record<TaskQueue, number> {
  const weights = new Map<TaskQueue, number>();
  for (const entry of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z_]+):(\d{1,4})$/.exec(entry);
    if (!m || !(TASK_QUEUES as readonly string[]).includes(m[1])) {
      throw new ConfigError(`TASK_PRIORITIES entry ${JSON.stringify(entry)} must be queue:weight with a queue of ${TASK_QUEUES.join(', ')}`);
    }
    weights.set(m[1] as TaskQueue, Number(m[2]));
  }
  const values = [...weights.values()];
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = PRIORITY_KEY_LAST - PRIORITY_KEY_FIRST;
  const keys = {} as Record<TaskQueue, number>;
  for (const q of TASK_QUEUES) {
    const w = weights.get(q);
    keys[q] = w === undefined || max === min ? PRIORITY_KEY_DEFAULT : PRIORITY_KEY_FIRST + Math.round((span * (max - w)) / (max - min));
  }
  return keys;
}
