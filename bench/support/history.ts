/** What a bench reads from a task's workflow history. */
import { Client, Connection } from '@temporalio/client';

/**
 * Where a task's time went, from its workflow history: each activity type's count and
 * summed time from scheduled to closed, and the workflow's own span. With `timeline`,
 * also each activity on a line of its own: when it started and closed, in seconds from
 * the workflow's start (where the steps wait on each other).
 */
export async function historyBreakdown(temporalAddress: string, taskId: string, timeline = false): Promise<string> {
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const events = (await new Client({ connection }).workflow.getHandle(taskId).fetchHistory()).events ?? [];
    const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
    const origin = events.length ? ms(events[0].eventTime) : 0;
    const scheduled = new Map<string, { type: string; at: number; startedAt?: number }>();
    const byType = new Map<string, { n: number; ms: number }>();
    const steps: string[] = [];
    const sec = (at: number) => ((at - origin) / 1000).toFixed(2);
    for (const e of events) {
      const a = e.activityTaskScheduledEventAttributes;
      if (a) scheduled.set(String(e.eventId), { type: a.activityType?.name ?? '?', at: ms(e.eventTime) });
      const started = e.activityTaskStartedEventAttributes && scheduled.get(String(e.activityTaskStartedEventAttributes.scheduledEventId));
      if (started) started.startedAt = ms(e.eventTime);
      const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
      const s = closed && scheduled.get(String(closed.scheduledEventId));
      if (s) {
        const t = byType.get(s.type) ?? { n: 0, ms: 0 };
        byType.set(s.type, { n: t.n + 1, ms: t.ms + ms(e.eventTime) - s.at });
        steps.push(`  ${s.type} ${sec(s.startedAt ?? s.at)} → ${sec(ms(e.eventTime))}`);
      }
    }
    const span = events.length ? ms(events[events.length - 1].eventTime) - origin : 0;
    const parts = [...byType].map(([type, t]) => `${type} ×${t.n} ${(t.ms / 1000).toFixed(2)} s`);
    const summary = `workflow ${(span / 1000).toFixed(2)} s, ${events.length} events: ${parts.join(', ')}`;
    return timeline ? `${summary}\n${steps.join('\n')}` : summary;
  } finally {
    await connection.close();
  }
}
