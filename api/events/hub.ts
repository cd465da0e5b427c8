/**
 * One source of task events per API process, fanned out to every open stream.
 *
 * ONE dedicated Postgres connection LISTENs on `task_events` (the triggers of migration
 * *_task_events notify with the task id at commit). A notification for a task nobody
 * watches costs nothing; for a watched task it costs ONE query, whatever the number of
 * streams on it, and queries for the same task never overlap (a notification arriving
 * during one marks the task dirty and the query runs once more). No stream ever polls.
 *
 * Ordering and resumption: every subscriber holds the last seq it was given, and each
 * query reads `seq > min(those)`; event numbers per task are gapless and commit in
 * order, so each subscriber gets every event after its starting point exactly once, in
 * order. A new subscriber's replay is simply the next query for its task.
 *
 * The connection opens with the first subscriber and closes when none is left for a
 * while. If it drops, it is reopened with backoff and every watched task is re-read,
 * because notifications sent while it was down are lost.
 *
 * A workflow can close without mirroring its end (terminated from the Web UI, hard time
 * limit, lost): then no event would ever come. So a watched task that is still open and
 * has been quiet for a while is handed to the check set by reconcileQuietTasks() (the events route reconciles it
 * with Temporal, which writes the final row, hence the final event) — at most once per
 * quiet period per task, however many streams watch it.
 */
import pg from 'pg';
import type { Knex } from 'knex';
import type { Logger } from '../../platform/logger';
import { isTerminal } from '../../contract/tasks';
import { loadTaskEvents, TASK_EVENTS_CHANNEL, type TaskEvent } from '../../db/task-events';

export type { TaskEvent };

type Deliver = (events: TaskEvent[]) => void;
interface Subscriber {
  after: number;
  deliver: Deliver;
  /** Called when the hub closes (shutdown): the stream ends and its client reconnects elsewhere. */
  ended?: () => void;
}
interface Topic {
  subs: Set<Subscriber>;
  running: boolean;
  dirty: boolean;
  /** When the task last produced an event (or was first watched), and whether it ended. */
  quietSince: number;
  ended: boolean;
}

export interface TaskEventsHubOptions {
  db: Knex;
  logger: Logger;
  /** Where to LISTEN; default: the knex handle's own connection settings. */
  connection?: string | pg.ClientConfig;
  /** Close the LISTEN connection after this long without subscribers. */
  idleCloseMs?: number;
}

export class TaskEventsHub {
  private readonly topics = new Map<string, Topic>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = 250;
  private staleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private onStale: ((taskId: string) => Promise<void>) | null = null;
  private staleAfterMs = 30_000;
  /** Queries run since start (tests check the fan-out with it). */
  queries = 0;

  constructor(private readonly opts: TaskEventsHubOptions) {}

  get streamCount(): number {
    let n = 0;
    for (const t of this.topics.values()) n += t.subs.size;
    return n;
  }

  /** `check` runs for a watched, open task quiet for `afterMs` (the events route sets it). */
  reconcileQuietTasks(check: (taskId: string) => Promise<void>, afterMs: number): void {
    this.onStale = check;
    this.staleAfterMs = afterMs;
  }

  /**
   * Delivers every event of `taskId` with seq > `after`, then each new one, in order.
   * Resolves once the listener is up (so nothing committed after that can be missed);
   * rejects if Postgres cannot be reached. Returns the unsubscribe function.
   */
  async subscribe(taskId: string, after: number, deliver: Deliver, ended?: () => void): Promise<() => void> {
    if (this.closed) throw new Error('the task events hub is closed');
    const sub: Subscriber = { after, deliver, ended };
    let topic = this.topics.get(taskId);
    if (!topic) this.topics.set(taskId, (topic = { subs: new Set(), running: false, dirty: false, quietSince: Date.now(), ended: false }));
    topic.subs.add(sub);
    this.cancelIdle();
    try {
      await this.listen();
    } catch (err) {
      this.unsubscribe(taskId, sub);
      throw err;
    }
    this.pump(taskId);
    return () => this.unsubscribe(taskId, sub);
  }

  /** Ends every stream (their clients reconnect with Last-Event-ID) and the LISTEN connection. */
  async close(): Promise<void> {
    this.closed = true;
    const subs = [...this.topics.values()].flatMap((t) => [...t.subs]);
    this.topics.clear();
    for (const s of subs) s.ended?.();
    this.cancelIdle();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.disconnect();
  }

  private unsubscribe(taskId: string, sub: Subscriber): void {
    const topic = this.topics.get(taskId);
    if (!topic) return;
    topic.subs.delete(sub);
    if (topic.subs.size === 0 && !topic.running) this.topics.delete(taskId);
    if (this.topics.size === 0) this.scheduleIdle();
  }

  /** Reads new events of one task once for all its subscribers; never two at a time. */
  private pump(taskId: string): void {
    const topic = this.topics.get(taskId);
    if (!topic) return;
    if (topic.running) {
      topic.dirty = true;
      return;
    }
    topic.running = true;
    void (async () => {
      try {
        do {
          topic.dirty = false;
          if (topic.subs.size === 0) break;
          const from = Math.min(...[...topic.subs].map((s) => s.after));
          this.queries += 1;
          const events = await loadTaskEvents(this.opts.db, taskId, from);
          for (const sub of [...topic.subs]) {
            const mine = events.filter((e) => e.seq > sub.after);
            if (mine.length === 0) continue;
            sub.after = mine[mine.length - 1].seq;
            topic.quietSince = Date.now();
            topic.ended ||= isTerminal(mine[mine.length - 1].status);
            try {
              sub.deliver(mine);
            } catch (err) {
              this.opts.logger.warn('task event delivery failed', { task_id: taskId, error: (err as Error).message });
            }
          }
        } while (topic.dirty);
      } catch (err) {
        // The query failed (Postgres restarting?): try this task again shortly.
        this.opts.logger.warn('task events read failed', { task_id: taskId, error: (err as Error).message });
        setTimeout(() => this.pump(taskId), 1000).unref();
      } finally {
        topic.running = false;
        if (topic.subs.size === 0 && this.topics.get(taskId) === topic) this.topics.delete(taskId);
      }
    })();
  }

  private listen(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(listenConnection(this.opts));
    client.on('notification', (msg) => {
      if (msg.channel === TASK_EVENTS_CHANNEL && msg.payload) this.pump(msg.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${TASK_EVENTS_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
    this.retryDelayMs = 250;
    this.startStaleChecks();
  }

  private startStaleChecks(): void {
    if (this.staleTimer) return;
    const after = this.staleAfterMs;
    this.staleTimer = setInterval(() => {
      const now = Date.now();
      for (const [taskId, topic] of this.topics) {
        if (topic.ended || !this.onStale || now - topic.quietSince < after) continue;
        topic.quietSince = now; // once per quiet period
        this.onStale(taskId).catch((err) =>
          this.opts.logger.warn('task events reconcile failed', { task_id: taskId, error: (err as Error).message }),
        );
      }
    }, Math.max(100, Math.floor(after / 2)));
    this.staleTimer.unref();
  }

  /** The LISTEN connection dropped: reopen it while anyone watches, then re-read everything. */
  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    if (this.closed || this.topics.size === 0) return;
    this.opts.logger.warn('task events listener lost; reconnecting', { error: err.message });
    const retry = () => {
      this.retryTimer = null;
      if (this.closed || this.topics.size === 0) return;
      this.listen().then(
        () => [...this.topics.keys()].forEach((id) => this.pump(id)),
        () => {
          this.retryDelayMs = Math.min(this.retryDelayMs * 2, 10_000);
          this.retryTimer = setTimeout(retry, this.retryDelayMs);
        },
      );
    };
    this.retryTimer = setTimeout(retry, this.retryDelayMs);
  }

  private scheduleIdle(): void {
    this.cancelIdle();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.topics.size === 0) void this.disconnect();
    }, this.opts.idleCloseMs ?? 30_000);
    this.idleTimer.unref();
  }

  private cancelIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private async disconnect(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    if (!this.closed && this.topics.size > 0) return; // someone subscribed meanwhile
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.staleTimer = null;
    const client = this.client;
    this.client = null; // before end(): its 'end' event must not look like a loss
    await client?.end().catch(() => undefined);
  }
}

function listenConnection(opts: TaskEventsHubOptions): string | pg.ClientConfig {
  if (opts.connection) return opts.connection;
  const conn = (opts.db.client as { config: Knex.Config }).config.connection;
  if (typeof conn === 'string' || (conn && typeof conn === 'object')) return conn as string | pg.ClientConfig;
  throw new Error('the task events hub needs a connection string or object (the knex one is a function)');
}
