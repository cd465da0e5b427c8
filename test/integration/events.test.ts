/**
 * GET /tasks/:id/events over real HTTP against a real Postgres (triggers, LISTEN/NOTIFY)
 * and the Temporal dev server: order, resumption with Last-Event-ID, the end of the stream,
 * isolation, the query-token rules, heartbeats, the fan-out from one source, a dropped
 * LISTEN connection, and one real workflow from submission to `done`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Knex } from 'knex';
import { Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { createActivities } from '../../activities';
import { estimateEtaSeconds } from '../../db/task-events';
import { buildOpenApiDocument } from '../../api/openapi/document';
import { checkSchema } from '../support/schema-check';
import { signStreamToken, streamKey } from '../../api/routes/events';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../platform/config';
import { createApp } from '../../api/app';
import { TaskEventsHub } from '../../api/events/hub';
import { FileStore } from '../../db/files';
import { createLogger } from '../../platform/logger';
import { startApi } from '../../api/main';
import { silentLogger } from '../../platform/logger';
import { getTestDatabaseUrl, getTestDb, truncateAll } from '../support/postgres';
import { getDevServer, getDevServerNativeConnection, getWorkflowBundle } from '../support/temporal';
import { generatedRows, seedSession, testConfig, tokenFor } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  comment?: string;
}

interface SseStream {
  res: Response;
  /** The next frame or comment; null once the server ended the stream. Rejects after timeoutMs. */
  next(timeoutMs?: number): Promise<SseMessage | null>;
  /** Frames until one with event `until` (inclusive) or the end; comments and retry skipped. */
  events(opts?: { until?: string; count?: number; timeoutMs?: number }): Promise<SseMessage[]>;
  close(): void;
}

async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: ctrl.signal });
  const queue: (SseMessage | null)[] = [];
  let wake: (() => void) | null = null;
  const push = (m: SseMessage | null) => {
    queue.push(m);
    wake?.();
  };

  if (res.ok && res.body && res.status === 200) {
    void (async () => {
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const msg: SseMessage = {};
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) msg.comment = line.slice(1).trim();
              else {
                const i = line.indexOf(':');
                const field = i < 0 ? line : line.slice(0, i);
                const v = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
                if (field === 'id') msg.id = v;
                else if (field === 'event') msg.event = v;
                else if (field === 'data') msg.data = msg.data === undefined ? v : `${msg.data}\n${v}`;
                else if (field === 'retry') msg.retry = Number(v);
              }
            }
            push(msg);
          }
        }
      } catch {
        // aborted by close()
      }
      push(null);
    })();
  } else {
    push(null);
  }

  const next = async (timeoutMs = 10_000): Promise<SseMessage | null> => {
    const deadline = Date.now() + timeoutMs;
    while (queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SSE message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
    const m = queue.shift()!;
    if (m === null) queue.unshift(null); // stays ended
    return m;
  };

  return {
    res,
    next,
    async events({ until, count, timeoutMs = 15_000 } = {}) {
      const out: SseMessage[] = [];
      for (;;) {
        const m = await next(timeoutMs);
        if (m === null) return out;
        if (m.comment !== undefined || m.data === undefined) continue;
        out.push(m);
        if ((until && m.event === until) || (count && out.length >= count)) return out;
      }
    },
    close: () => ctrl.abort(),
  };
}

const dataOf = (m: SseMessage) => JSON.parse(m.data ?? 'null');

describe('task events (Server-Sent Events)', function () {
  this.timeout(60_000);
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;
  let bob: string;
  let temporal: Client;

  before(async () => {
    const [database, dev] = await Promise.all([getTestDb(), getDevServer()]);
    db = database;
    // One user opens many streams in the fan-out test below: their share is not what it tests.
    config = testConfig({ SSE_HEARTBEAT_SECONDS: '1', SSE_RETRY_MS: '500', SSE_RECONCILE_SECONDS: '1', SSE_MAX_STREAMS_PER_USER: '1000' });
    api = await startTestApi({ config, db, temporal: dev.client });
    temporal = dev.client;
    alice = tokenFor(config, 'alice');
    bob = tokenFor(config, 'bob');
  });
  after(() => api.close());
  beforeEach(() => truncateAll(db));

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const stream = (taskId: string, headers: Record<string, string> = bearer(alice), query = '') =>
    openSse(`${api.url}/tasks/${taskId}/events${query}`, headers);

  /** A task row as the submission path writes it (event 1: PENDING). */
  async function insertTask(userId = 'alice'): Promise<string> {
    const id = randomUUID();
    await db('task_status').insert({
      task_id: id, user_id: userId, task_name: 'bulk_categorize_async', queue: 'bulk_operations',
      status: 'PENDING', progress_message: 'Waiting for a worker',
    });
    return id;
  }
  /** What the mirror activities write. */
  const progress = (id: string, percent: number, message: string) =>
    db('task_status').where({ task_id: id }).update({ status: 'PROCESSING', progress_percent: percent, progress_message: message, updated_at: db.fn.now() });
  const finish = (id: string, result: unknown) =>
    db('task_status').where({ task_id: id }).update({
      status: 'SUCCESS', progress_percent: 100, progress_message: 'Completed', result: JSON.stringify(result),
      updated_at: db.fn.now(), completed_at: db.fn.now(), expires_at: db.raw(`now() + interval '1 hour'`),
    });
  const seqs = (ms: SseMessage[]) => ms.map((m) => Number(m.id));

  it('streams every change in order, numbered, then `done` with the result, and closes', async () => {
    const id = await insertTask();
    const s = await stream(id);
    assert.equal(s.res.status, 200);
    assert.match(s.res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(s.res.headers.get('cache-control'), 'no-store, no-transform');
    const first = await s.next();
    assert.equal(first?.retry, 500, 'the retry interval comes first');
    const [pending] = await s.events({ count: 1 });
    assert.deepEqual([pending.id, pending.event, dataOf(pending).status], ['1', 'progress', 'PENDING']);

    await progress(id, 10, 'Started');
    await progress(id, 40, 'Chunk 1 of 2');
    await progress(id, 40, 'Chunk 1 of 2'); // no visible change: no event
    await progress(id, 80, 'Chunk 2 of 2');
    await finish(id, { status: 'success', categorized_count: 3 });
    const rest = await s.events({ until: 'done' });
    assert.deepEqual(seqs(rest), [2, 3, 4, 5]);
    assert.deepEqual(rest.map((m) => dataOf(m).progress_percent), [10, 40, 80, 100]);
    assert.deepEqual(rest.map((m) => m.event), ['progress', 'progress', 'progress', 'done']);
    const done = dataOf(rest[3]);
    assert.equal(done.status, 'SUCCESS');
    assert.equal(done.task_id, id);
    assert.deepEqual(done.result, { status: 'success', categorized_count: 3 });
    assert.equal(done.error, null);
    assert.equal(await s.next(), null, 'the server ends the stream after `done`');
    // Every event's data is the documented TaskEvent.
    const doc = buildOpenApiDocument({ includeDev: true });
    for (const m of [pending, ...rest]) assert.deepEqual(checkSchema(doc, { $ref: '#/components/schemas/TaskEvent' }, dataOf(m)), []);
  });

  it('resumes after a dropped connection: Last-Event-ID gives exactly the missed events, once', async () => {
    const id = await insertTask();
    await progress(id, 10, 'Started');
    const s1 = await stream(id);
    const seen = await s1.events({ count: 2 });
    assert.deepEqual(seqs(seen), [1, 2]);
    s1.close(); // the connection drops ...
    await progress(id, 30, 'a');
    await progress(id, 60, 'b');
    const s2 = await stream(id, { ...bearer(alice), 'Last-Event-ID': '2' });
    await progress(id, 90, 'c');
    await finish(id, { ok: true });
    const resumed = await s2.events({ until: 'done' });
    assert.deepEqual(seqs(resumed), [3, 4, 5, 6]);
    assert.deepEqual(resumed.map((m) => dataOf(m).progress_message), ['a', 'b', 'c', 'Completed']);

    // A new EventSource cannot set the header: the same through ?last_event_id=.
    const s3 = await stream(id, bearer(alice), '?last_event_id=4');
    assert.deepEqual(seqs(await s3.events({ until: 'done' })), [5, 6]);
    // Reconnecting after `done`: 204, which tells EventSource to stop.
    const after = await fetch(`${api.url}/tasks/${id}/events`, { headers: { ...bearer(alice), 'Last-Event-ID': '6' } });
    assert.equal(after.status, 204);
    // A client that never saw the end gets the whole history and the end.
    const late = await stream(id);
    assert.deepEqual(seqs(await late.events({ until: 'done' })), [1, 2, 3, 4, 5, 6]);
    assert.equal(await late.next(), null);
  });

  it('refuses another user\'s task, a missing one, a bad Last-Event-ID, and no token, as JSON before any stream', async () => {
    const id = await insertTask('alice');
    for (const [tid, headers] of [[id, bearer(bob)], [randomUUID(), bearer(alice)], ['not-a-uuid', bearer(alice)]] as const) {
      const res = await fetch(`${api.url}/tasks/${tid}/events`, { headers });
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      assert.deepEqual(await res.json(), { error: { code: 'TASK_NOT_FOUND', message: 'Task not found' } });
    }
    const bad = await api.json(`/tasks/${id}/events`, { token: alice, headers: { 'Last-Event-ID': 'abc' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'BAD_LAST_EVENT_ID');
    const none = await api.json(`/tasks/${id}/events`);
    assert.equal(none.status, 401);
    assert.equal((await api.json(`/tasks/${id}/stream_token`, { method: 'POST', token: bob })).status, 404);
  });

  it('accepts a stream token in the query string only for its own task\'s events, and only short-lived ones', async () => {
    const id = await insertTask('alice');
    const other = await insertTask('alice');
    const issued = await api.json(`/tasks/${id}/stream_token`, { method: 'POST', token: alice });
    assert.equal(issued.status, 200);
    assert.equal(issued.body.token_type, 'stream');
    assert.ok(issued.body.expires_in <= 300);
    assert.equal(issued.headers.get('cache-control'), 'no-store');
    const token: string = issued.body.access_token;
    const claims = jwt.decode(token) as jwt.JwtPayload;
    assert.ok(claims.exp! - claims.iat! <= 300);

    const ok = await openSse(`${api.url}${issued.body.events_url}`);
    assert.equal(ok.res.status, 200);
    assert.equal(dataOf((await ok.events({ count: 1 }))[0]).status, 'PENDING');
    ok.close();

    const q = (path: string, t: string) => api.json(`${path}?access_token=${encodeURIComponent(t)}`);
    // Not a bearer token anywhere else, and not for another task.
    assert.equal((await q(`/tasks/${id}/status`, token)).status, 401);
    assert.equal((await q('/tasks', token)).status, 401);
    assert.equal((await api.json(`/tasks/${id}/status`, { token })).status, 401, 'not accepted as a bearer token either');
    assert.equal((await q(`/tasks/${other}/events`, token)).status, 401);
    // A user's (long-lived) JWT is no stream token; nor is an expired or a too long-lived one.
    assert.equal((await q(`/tasks/${id}/events`, alice)).status, 401);
    const key = streamKey(config.jwtSecret);
    const sign = (exp: number, iat = Math.floor(Date.now() / 1000)) =>
      jwt.sign({ sub: 'alice', tid: id, iat, exp }, key, { algorithm: 'HS256', audience: 'statementflow:task-events' });
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await q(`/tasks/${id}/events`, sign(now - 10, now - 100))).status, 401, 'expired');
    assert.equal((await q(`/tasks/${id}/events`, sign(now + 3600))).status, 401, 'lives longer than STREAM_TOKEN_TTL_SECONDS');
    // Bob's token for Alice's task: 404, as with the header.
    const bobs = signStreamToken(config, 'bob', id);
    assert.equal((await q(`/tasks/${id}/events`, bobs)).status, 404);
    // Both a header and a query token: refused rather than guessed.
    const both = await api.json(`/tasks/${id}/events?access_token=${token}`, { token: alice });
    assert.equal(both.status, 400);
  });

  it('never writes the query token to the logs', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', {}, (l) => lines.push(l));
    const events = new TaskEventsHub({ db, logger });
    const app = createApp({ config, db, temporal, files: new FileStore(db), logger, events });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const id = await insertTask('alice');
      const token = signStreamToken(config, 'alice', id);
      const s = await openSse(`${url}/tasks/${id}/events?access_token=${token}`);
      await s.events({ count: 1 });
      s.close();
      await fetch(`${url}/tasks/${id}/status?access_token=${token}`); // refused: logged as a 401
      await fetch(`${url}/tasks/${id}/events?access_token=${token}x`);
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(lines.some((l) => l.includes(`/tasks/${id}/events`)), 'the requests were logged');
      assert.deepEqual(lines.filter((l) => l.includes(token.split('.')[2]) || l.includes('access_token')), []);
    } finally {
      await events.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('shuts the API down promptly with streams open: they end, and their clients reconnect elsewhere', async () => {
    const dev = await getDevServer();
    const cfg = testConfig({ DATABASE_URL: await getTestDatabaseUrl(), TEMPORAL_ADDRESS: dev.address, PORT: '0', HOST: '127.0.0.1' });
    const running = await startApi(cfg, silentLogger);
    const url = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
    const id = await insertTask('alice');
    const s = await openSse(`${url}/tasks/${id}/events`, bearer(tokenFor(cfg, 'alice')));
    await s.events({ count: 1 });
    // Closing does not wait for open streams to end on their own (they never would).
    await running.close();
    assert.equal(await s.next(2000), null, 'the stream ended (EventSource would reconnect with Last-Event-ID)');
  });

  it('past SSE_MAX_STREAMS, answers 503 TOO_MANY_STREAMS with Retry-After, and takes streams again once one closes', async () => {
    const capped = await startTestApi({ config: testConfig({ SSE_MAX_STREAMS: '1', SSE_RETRY_MS: '3000' }), db, temporal });
    try {
      const id = await insertTask();
      const open = await openSse(`${capped.url}/tasks/${id}/events`, bearer(alice));
      assert.equal(open.res.status, 200);
      const refused = await openSse(`${capped.url}/tasks/${id}/events`, bearer(alice));
      assert.equal(refused.res.status, 503);
      assert.equal(refused.res.headers.get('retry-after'), '3');
      assert.equal(((await refused.res.json()) as { error: { code: string } }).error.code, 'TOO_MANY_STREAMS');
      open.close();
      let again: SseStream | undefined;
      for (let i = 0; i < 50 && again?.res.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100)); // the server notices the closed stream
        again = await openSse(`${capped.url}/tasks/${id}/events`, bearer(alice));
        if (again.res.status !== 200) await again.res.body?.cancel();
      }
      assert.equal(again!.res.status, 200);
      again!.close();
    } finally {
      await capped.close();
    }
  });

  it("holds each user to SSE_MAX_STREAMS_PER_USER streams: over it 429 with Retry-After, while another user's stream still opens", async () => {
    const capped = await startTestApi({ config: testConfig({ SSE_MAX_STREAMS_PER_USER: '2', SSE_RETRY_MS: '2000' }), db, temporal });
    const opened: SseStream[] = [];
    try {
      const mine = await insertTask('alice');
      for (let i = 0; i < 2; i++) {
        const s = await openSse(`${capped.url}/tasks/${mine}/events`, bearer(alice));
        assert.equal(s.res.status, 200);
        opened.push(s);
      }
      const over = await openSse(`${capped.url}/tasks/${mine}/events`, bearer(alice));
      assert.equal(over.res.status, 429);
      assert.equal(over.res.headers.get('retry-after'), '2');
      assert.equal(((await over.res.json()) as { error: { code: string } }).error.code, 'TOO_MANY_STREAMS');
      const theirs = await insertTask('bob');
      const other = await openSse(`${capped.url}/tasks/${theirs}/events`, bearer(bob));
      assert.equal(other.res.status, 200, "one user's streams do not use up another's");
      opened.push(other);
      // A closed stream gives its place back.
      opened.shift()!.close();
      let again: SseStream | undefined;
      for (let i = 0; i < 50 && again?.res.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100)); // the server notices the closed stream
        again = await openSse(`${capped.url}/tasks/${mine}/events`, bearer(alice));
        if (again.res.status !== 200) await again.res.body?.cancel();
      }
      assert.equal(again!.res.status, 200);
      opened.push(again!);
    } finally {
      for (const s of opened) s.close();
      await capped.close();
    }
  });

  it('sends heartbeat comments while nothing happens', async () => {
    const id = await insertTask();
    const s = await stream(id);
    const comments: string[] = [];
    const started = Date.now();
    while (comments.length === 0 && Date.now() - started < 5000) {
      const m = await s.next(3000);
      if (m?.comment !== undefined) comments.push(m.comment);
    }
    s.close();
    assert.deepEqual(comments, ['heartbeat']);
  });

  it('fans out from one source: many streams, one query per change, no polling', async function () {
    this.timeout(60_000);
    const id = await insertTask();
    const n = 60;
    const streams = await Promise.all(Array.from({ length: n }, () => stream(id)));
    await Promise.all(streams.map((s) => s.events({ count: 1 })));
    const idle0 = api.events.queries;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(api.events.queries - idle0, 0, 'open streams cost nothing while nothing changes');

    const before = api.events.queries;
    for (let p = 10; p <= 50; p += 10) {
      await progress(id, p, `step ${p}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await finish(id, { ok: true });
    const all = await Promise.all(streams.map((s) => s.events({ until: 'done' })));
    for (const got of all) assert.deepEqual(seqs(got), [2, 3, 4, 5, 6, 7]);
    const used = api.events.queries - before;
    assert.ok(used <= 6, `${used} queries for 6 changes seen by ${n} streams`);
    assert.equal(api.events.streamCount, 0, 'every stream unsubscribed at the end');
  });

  it('reconnects a dropped LISTEN connection and delivers what happened meanwhile', async () => {
    const id = await insertTask();
    const s = await stream(id);
    await s.events({ count: 1 });
    const killed = await db.raw(`select pg_terminate_backend(pid) from pg_stat_activity where query = 'LISTEN task_events'`);
    assert.ok(killed.rows.length >= 1, 'the hub listens on its own connection');
    await progress(id, 50, 'while the listener was down');
    await new Promise((r) => setTimeout(r, 300));
    await finish(id, { ok: true });
    const got = await s.events({ until: 'done' });
    assert.deepEqual(seqs(got), [2, 3]);
  });

  it('estimates the time left from the rate so far, and events go with their task', async () => {
    const id = await insertTask();
    await progress(id, 10, 'Started');
    await new Promise((r) => setTimeout(r, 700));
    await progress(id, 30, 'Halfway there');
    const s = await stream(id);
    const got = await s.events({ count: 3 });
    s.close();
    assert.equal(dataOf(got[1]).eta_seconds, null, 'no estimate from a single point');
    const eta = dataOf(got[2]).eta_seconds;
    assert.ok(eta >= 2 && eta <= 6, `eta ${eta}: 70 % left at 20 % per ~0.7 s`);
    assert.equal(estimateEtaSeconds({ status: 'PROCESSING', percent: 50, created_at: new Date(10_000), anchor_at: new Date(0), anchor_percent: 0 }), 10);
    assert.equal(estimateEtaSeconds({ status: 'SUCCESS', percent: 100, created_at: new Date(10_000), anchor_at: new Date(0), anchor_percent: 0 }), null);

    await db('task_status').where({ task_id: id }).delete(); // retention cleanup
    assert.equal(Number((await db('task_events').where({ task_id: id }).count({ n: '*' }))[0].n), 0);
  });

  it('ends the stream of a workflow that closed without mirroring its end (terminated by an operator)', async () => {
    const sessionId = await seedSession(db, 'alice', generatedRows(3));
    const sub = await api.json(`/reports/generate_async?session_id=${sessionId}`, { method: 'POST', token: alice });
    const s = await stream(sub.body.task_id);
    await s.events({ count: 1 }); // PENDING: no worker polls the reports queue here
    await temporal.workflow.getHandle(sub.body.task_id).terminate('operator stopped it');
    const [done] = await s.events({ until: 'done', timeoutMs: 10_000 });
    assert.equal(done.event, 'done');
    assert.equal(dataOf(done).status, 'FAILED');
    assert.equal(dataOf(done).error.code, 'TERMINATED');
    assert.equal(await s.next(), null);
  });

  it('follows a real workflow from submission to `done`', async function () {
    this.timeout(120_000);
    const sessionId = await seedSession(db, 'alice', generatedRows(300));
    const cfg = testConfig();
    const sub = await api.json(`/reports/generate_async?session_id=${sessionId}&report_type=csv`, { method: 'POST', token: alice });
    assert.equal(sub.status, 202);
    const s = await stream(sub.body.task_id);
    const worker = await Worker.create({
      connection: await getDevServerNativeConnection(),
      namespace: 'default',
      taskQueue: 'reports',
      workflowBundle: await getWorkflowBundle(),
      activities: createActivities({ db, config: cfg }),
    });
    const events = await worker.runUntil(s.events({ until: 'done', timeoutMs: 60_000 }));
    const data = events.map(dataOf);
    assert.deepEqual(seqs(events), data.map((_, i) => i + 1), 'gapless from 1');
    assert.equal(data[0].status, 'PENDING');
    assert.ok(data.some((d) => d.status === 'PROCESSING'));
    for (let i = 1; i < data.length; i++) assert.ok(data[i].progress_percent >= data[i - 1].progress_percent, 'never backwards');
    const done = data[data.length - 1];
    assert.equal(done.status, 'SUCCESS');
    assert.equal(done.result.row_count, 300);
    assert.match(done.result.file_key, /^reports\//);
    assert.equal(await s.next(), null);
  });
});
