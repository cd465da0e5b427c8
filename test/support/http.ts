/**
 * A real HTTP server per test file: createApp(deps) listening on a free port, and a tiny
 * fetch wrapper that sends the bearer token.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createApp } from '../../api/app';
import type { Config } from '../../platform/config';
import { FileStore } from '../../db/files';
import { silentLogger } from '../../platform/logger';
import { TaskEventsHub } from '../../api/events/hub';

/**
 * Every JSON answer seen through TestApi.json() in this mocha run, so the OpenAPI contract
 * test (test/integration/openapi.test.ts) can check real responses against the document.
 */
export interface SeenResponse {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}
export const seenResponses: SeenResponse[] = [];

export interface TestApi {
  url: string;
  server: Server;
  files: FileStore;
  /** The app's task events hub (its LISTEN connection closes with the server). */
  events: TaskEventsHub;
  close(): Promise<void>;
  request(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  json<T = any>(path: string, init?: RequestInit & { token?: string | null }): Promise<{ status: number; body: T; headers: Headers }>;
}

export async function startTestApi(deps: { config: Config; db: Knex; temporal: Client }): Promise<TestApi> {
  const files = new FileStore(deps.db);
  const events = new TaskEventsHub({ db: deps.db, logger: silentLogger });
  const app = createApp({ ...deps, files, logger: silentLogger, events });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const request = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('Authorization', `Bearer ${init.token}`);
    return fetch(url + path, { ...init, headers });
  };
  return {
    url,
    server,
    files,
    events,
    request,
    async json(path, init) {
      const res = await request(path, init);
      const text = await res.text();
      const body = text ? JSON.parse(text) : undefined;
      const contentType = res.headers.get('content-type') ?? '';
      seenResponses.push({ method: (init?.method ?? 'GET').toUpperCase(), path, status: res.status, contentType, body });
      return { status: res.status, body, headers: res.headers };
    },
    close: async () => {
      await events.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
