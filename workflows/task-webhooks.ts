/**
 * deliverTaskWebhooks: the child workflow a task starts after its terminal write (with
 * ParentClosePolicy ABANDON, so the task's workflow ends at once and its status never
 * waits for a receiver). It prepares the deliveries of the task's end event, then sends
 * each one, retried with exponential backoff for up to WEBHOOK_RETRY_HOURS; a delivery
 * whose retries run out is marked failed.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';
import type { TaskWebhooksInput } from '../contract/tasks';

const WEBHOOK_REJECTED = 'WEBHOOK_REJECTED';

export async function deliverTaskWebhooks(input: TaskWebhooksInput): Promise<{ delivered: number; failed: number; skipped: number }> {
  const book = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 },
  });
  const { deliveryIds, retry } = await book.prepareTaskWebhooks(input);
  const send = proxyActivities<WebhookActivities>({
    startToCloseTimeout: retry.attemptTimeoutMs,
    scheduleToCloseTimeout: retry.totalMs,
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: retry.backoffCoefficient,
      maximumInterval: retry.maximumIntervalMs,
      nonRetryableErrorTypes: [WEBHOOK_REJECTED],
    },
  });
  const outcomes = await Promise.all(
    deliveryIds.map(async (deliveryId) => {
      try {
        const sent = await send.deliverWebhook({ deliveryId });
        return sent.skipped ? 'skipped' : sent.delivered ? 'delivered' : 'failed';
      } catch {
        // Refused for good, or out of retries: the attempts are recorded; the delivery ends failed.
        await book.giveUpWebhook({ deliveryId });
        return 'failed';
      }
    }),
  );
  const count = (o: string) => outcomes.filter((x) => x === o).length;
  return { delivered: count('delivered'), failed: count('failed'), skipped: count('skipped') };
}
