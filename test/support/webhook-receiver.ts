/**
 * An HTTP receiver for webhook tests, on a free port of 127.0.0.1: records every request
 * and answers each path with the statuses queued for it (then 200).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver on a free port: answers each path with the statuses queued for it (then 200). */
export class Receiver {
  readonly received: Received[] = [];
  private readonly plans = new Map<string, () => number>();
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = req.url ?? '';
      this.received.push({ path, headers: req.headers, body });
      res.writeHead(this.plans.get(path)?.() ?? 200, { 'Content-Type': 'text/plain' }).end(`answer to ${path}`);
    });
  });
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
  url(path: string, host = '127.0.0.1'): string {
    return `http://${host}:${this.port}${path}`;
  }
  /** Answers `statuses` in turn, then 200. */
  plan(path: string, statuses: number[]): void {
    const left = [...statuses];
    this.plans.set(path, () => left.shift() ?? 200);
  }
  answer(path: string, status: () => number): void {
    this.plans.set(path, status);
  }
  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }
}
