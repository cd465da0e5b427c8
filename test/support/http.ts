/**
 * A real HTTP server per test file: createApp(deps) listening on a free port, and a tiny
 * fetch wrapper that sends the bearer token.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createApp } from '../../api/app';
import type { Config } from '../../core/config';
import { FileStore } from '../../core/file-store';
import { silentLogger } from '../../core/logger';

export interface TestApi {
  url: string;
  server: Server;
  files: FileStore;
  close(): Promise<void>;
  request(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  json<T = any>(path: string, init?: RequestInit & { token?: string | null }): Promise<{ status: number; body: T; headers: Headers }>;
}

export async function startTestApi(deps: { config: Config; db: Knex; temporal: Client }): Promise<TestApi> {
  const files = new FileStore(deps.db);
  const app = createApp({ ...deps, files, logger: silentLogger });
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
    request,
    async json(path, init) {
      const res = await request(path, init);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
