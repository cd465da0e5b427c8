/**
 * One guarded webhook POST against a real local receiver: the connection goes to the
 * address the guard checked, a private answer from DNS is refused before connecting, the
 * answer is read only up to its limit, redirects are not followed, slow receivers time out.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendWebhook, type Resolver } from '../../../activities/webhook-http';

describe('webhook sending', () => {
  let server: http.Server;
  let port: number;
  const seen: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end('ok');

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body });
        answer(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    seen.length = 0;
    answer = (_req, res) => res.end('ok');
  });

  const lookups: string[] = [];
  const resolveTo = (address: string, family = 4): Resolver => async (host) => {
    lookups.push(host);
    return [{ address, family }];
  };
  const opts = { timeoutMs: 2000, maxResponseBytes: 16, allowPrivateAddresses: true };

  it('connects to the address the resolver gave, sends the body and headers, and keeps a bounded snippet', async () => {
    lookups.length = 0;
    answer = (_req, res) => res.writeHead(200).end('x'.repeat(1000));
    const r = await sendWebhook(`http://receiver.test:${port}/hook?a=1`, { 'X-Test': 'yes' }, '{"a":1}', { ...opts, resolve: resolveTo('127.0.0.1') });
    assert.ok('statusCode' in r);
    assert.equal(r.statusCode, 200);
    assert.equal(r.snippet, 'x'.repeat(16));
    assert.deepEqual(lookups, ['receiver.test']);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].url, '/hook?a=1');
    assert.equal(seen[0].body, '{"a":1}');
    assert.equal(seen[0].headers['x-test'], 'yes');
    assert.equal(seen[0].headers['content-type'], 'application/json');
  });

  it('refuses a name resolving to a private address (any of its addresses) when private addresses are off, without connecting', async () => {
    const mixed: Resolver = async () => [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }];
    for (const resolve of [resolveTo('127.0.0.1'), resolveTo('::ffff:127.0.0.1', 6), mixed]) {
      const r = await sendWebhook(`http://receiver.test:${port}/hook`, {}, '{}', { ...opts, allowPrivateAddresses: false, resolve });
      assert.ok('error' in r, JSON.stringify(r));
      assert.equal(r.error, 'private_address');
    }
    const literal = await sendWebhook(`http://127.0.0.1:${port}/hook`, {}, '{}', { ...opts, allowPrivateAddresses: false });
    assert.ok('error' in literal && literal.error === 'private_address');
    assert.equal(seen.length, 0);
  });

  it('does not follow a redirect', async () => {
    answer = (_req, res) => res.writeHead(302, { Location: `http://127.0.0.1:${port}/elsewhere` }).end();
    const r = await sendWebhook(`http://127.0.0.1:${port}/hook`, {}, '{}', opts);
    assert.ok('statusCode' in r && r.statusCode === 302);
    assert.deepEqual(seen.map((s) => s.url), ['/hook']);
  });

  it('times out on a receiver that never answers, and names a refused connection', async () => {
    answer = () => undefined; // never answers
    const slow = await sendWebhook(`http://127.0.0.1:${port}/hook`, {}, '{}', { ...opts, timeoutMs: 200 });
    assert.ok('error' in slow && slow.error === 'timeout', JSON.stringify(slow));
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await sendWebhook(`http://127.0.0.1:${freePort}/hook`, {}, '{}', opts);
    assert.ok('error' in refused && refused.error === 'connection_refused', JSON.stringify(refused));
  });
});
