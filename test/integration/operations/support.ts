/**
 * Helpers for the operations tests: a namespace of their own on the shared dev server (so
 * "no worker polls pdf_processing" is true whatever other test files ran before), an API
 * that keeps its log lines, Prometheus text parsing, and polling.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, type Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import type { Knex } from 'knex';
import { createApp } from '../../../api/app';
import type { Config } from '../../../platform/config';
import { FileStore } from '../../../db/files';
import { createLogger } from '../../../platform/logger';
import { SEARCH_ATTRIBUTE_KEYS } from '../../../contract/search-attributes';
import { registerSearchAttributes } from '../../../devenv/search-attributes';

export const OPS_NAMESPACE = 'statementflow-ops-test';

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

let ready: Promise<Client> | undefined;

/**
 * Registers OPS_NAMESPACE with Statementflow's search attributes (what deploy/temporal/setup.sh
 * does on a real cluster) and resolves once a workflow can be started there with them.
 */
export function opsNamespaceClient(connection: Connection): Promise<Client> {
  ready ??= (async () => {
    try {
      await connection.workflowService.registerNamespace({ namespace: OPS_NAMESPACE, workflowExecutionRetentionPeriod: msToTs(86_400_000) });
    } catch (err) {
      if (!/already exists|AlreadyExists/i.test(String((err as Error).message))) throw err;
    }
    // A namespace just registered may not be visible yet: retry until the attributes are in.
    await waitFor('search attributes registered', async () => {
      await registerSearchAttributes(connection, OPS_NAMESPACE);
      return true;
    });
    const client = new Client({ connection, namespace: OPS_NAMESPACE });
    // The frontend's namespace cache catches up within seconds: probe until a start with our attributes works.
    await waitFor(
      'namespace usable',
      async () => {
        const id = `ops-probe-${Date.now()}`;
        await client.workflow.start('probe', { taskQueue: 'ops-probe', workflowId: id, typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.UserId, value: 'probe' }] });
        await client.workflow.getHandle(id).terminate('probe');
        return true;
      },
      60_000,
      500,
    );
    return client;
  })();
  return ready;
}

export interface OpsApi {
  url: string;
  lines: Record<string, any>[];
  close(): Promise<void>;
  json<T = any>(path: string, init?: RequestInit & { token?: string }): Promise<{ status: number; body: T; text: string }>;
}

/** createApp on a free port, with a logger that keeps every JSON line it writes. */
export async function startOpsApi(deps: { config: Config; db: Knex; temporal: Client }): Promise<OpsApi> {
  const lines: Record<string, any>[] = [];
  const logger = createLogger('info', { service: 'api' }, (l) => lines.push(JSON.parse(l)));
  const app = createApp({ ...deps, files: new FileStore(deps.db), logger });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    lines,
    async json(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.token) headers.set('Authorization', `Bearer ${init.token}`);
      const res = await fetch(url + path, { ...init, headers });
      const text = await res.text();
      let body: any;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, body, text };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The value of one Prometheus sample: `name` with at least the given labels (0 when absent,
 * as a counter that has not moved yet).
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}
