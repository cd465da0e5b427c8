/** Waiting on a task as a REST client does, for benches. */

/**
 * Reads the task's SSE stream (GET /tasks/{id}/events) until a terminal status arrives:
 * when a client learns the task ended, with no polling interval added to what is timed.
 */
export async function waitTerminal(base: string, token: string, taskId: string): Promise<void> {
  const res = await fetch(`${base}/tasks/${taskId}/events`, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } });
  if (!res.ok || !res.body) throw new Error(`events answered ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the event stream of ${taskId} ended before a terminal status`);
      buffered += value;
      if (/"status":"(SUCCESS|FAILED|CANCELLED)"/.test(buffered)) return;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
