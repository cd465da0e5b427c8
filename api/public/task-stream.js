// Follows a task through GET /tasks/{id}/events with EventSource: no polling.
// EventSource cannot send the Authorization header, so it opens the stream with a
// short-lived stream token (POST /tasks/{id}/stream_token). The browser reconnects by
// itself after a network drop (sending Last-Event-ID); if that fails for good (e.g. the
// token expired), a new token is fetched and the stream reopened after the last event
// seen, so nothing is missed and nothing comes twice.
import { api } from './api.js';

/**
 * onEvent(data) for every event; resolves with the terminal event's data.
 * Returns { done: Promise, close() }.
 */
export function followTask(taskId, onEvent) {
  let source = null;
  let lastId = 0;
  let closed = false;
  let failures = 0;
  let settle;
  const done = new Promise((resolve, reject) => (settle = { resolve, reject }));

  const open = async () => {
    if (closed) return;
    let url;
    try {
      const t = await api(`/tasks/${encodeURIComponent(taskId)}/stream_token`, { method: 'POST' });
      url = t.events_url + (lastId ? `&last_event_id=${lastId}` : '');
    } catch (err) {
      return fail(err);
    }
    source = new EventSource(url);
    const handle = (e) => {
      failures = 0;
      lastId = Number(e.lastEventId) || lastId;
      const data = JSON.parse(e.data);
      onEvent(data);
      if (e.type === 'done') {
        close();
        settle.resolve(data);
      }
    };
    source.addEventListener('progress', handle);
    source.addEventListener('done', handle);
    source.onerror = () => {
      // CONNECTING: the browser retries by itself. CLOSED: it gave up (e.g. 401 with an
      // expired token, or 204 after the end): reopen with a fresh token, a few times.
      if (source.readyState !== EventSource.CLOSED || closed) return;
      source = null;
      failures += 1;
      if (failures > 5) return fail(new Error('Lost the progress stream'));
      setTimeout(open, Math.min(500 * 2 ** failures, 8000));
    };
  };
  const close = () => {
    closed = true;
    source?.close();
    source = null;
  };
  const fail = (err) => {
    close();
    settle.reject(err);
  };
  open();
  return { done, close };
}
