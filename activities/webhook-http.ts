/**
 * One webhook POST, guarded: the host's addresses are resolved and every one checked
 * before connecting, and the connection goes to the address that was checked (the check
 * is the `lookup` the socket uses, so a DNS answer cannot change between check and
 * connect). One deadline covers resolving, connecting, sending and reading; at most
 * `maxResponseBytes` of the answer are read; redirects are not followed.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { bareHost, classifyAddress, type AttemptError } from '../domain/webhooks';

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Every address of a host name (tests map made-up names to their own addresses). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

export interface SendOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  allowPrivateAddresses: boolean;
  resolve?: Resolver;
}

export type SendResult =
  | { statusCode: number; snippet: string; durationMs: number }
  | { error: AttemptError; message: string; durationMs: number };

class RefusedAddressError extends Error {
  readonly code = 'EREFUSEDADDRESS';
  constructor(host: string, kind: string) {
    super(`${host} resolves to a ${kind} address`);
  }
}

function guardedLookup(resolve: Resolver, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        if (!allowPrivate) {
          for (const a of addresses) {
            const kind = classifyAddress(a.address);
            if (kind !== 'public') {
              callback(new RefusedAddressError(hostname, kind), '', 0);
              return;
            }
          }
        }
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        const usable = wanted.length > 0 ? wanted : addresses;
        if (options.all) (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, usable);
        else callback(null, usable[0].address, usable[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_CERT)/;

function errorKind(err: NodeJS.ErrnoException): AttemptError {
  const code = err.code ?? '';
  if (code === 'EREFUSEDADDRESS') return 'private_address';
  if (code === 'ETIMEDOUT' || code === 'WEBHOOK_TIMEOUT') return 'timeout';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection_reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return 'dns_failure';
  if (TLS_CODES.test(code)) return 'tls_error';
  return 'network_error';
}

/** A snippet fit for a text column and a JSON answer: no NUL characters. */
const printable = (buf: Buffer): string => buf.toString('utf8').split(String.fromCharCode(0)).join('');

export async function sendWebhook(rawUrl: string, headers: Record<string, string>, body: string, opts: SendOptions): Promise<SendResult> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { error: 'bad_url', message: 'the URL does not parse', durationMs: 0 };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: 'bad_url', message: 'not an http(s) URL', durationMs: 0 };
  const host = bareHost(url);
  // A literal address is never looked up, so it is checked here.
  if (isIP(host) !== 0 && !opts.allowPrivateAddresses && classifyAddress(host) !== 'public') {
    return { error: 'private_address', message: `${host} is a ${classifyAddress(host)} address`, durationMs: 0 };
  }
  const transport = url.protocol === 'https:' ? https : http;
  const payload = Buffer.from(body, 'utf8');
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      resolve(r);
    };
    const fail = (err: NodeJS.ErrnoException) => finish({ error: errorKind(err), message: err.message, durationMs: elapsed() });
    const req = transport.request(url, {
      method: 'POST',
      agent: false,
      lookup: guardedLookup(opts.resolve ?? systemResolver, opts.allowPrivateAddresses),
      headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(payload.length), 'User-Agent': 'Statementflow-Webhooks/1' },
    });
    const deadline = setTimeout(() => fail(Object.assign(new Error(`no answer within ${opts.timeoutMs} ms`), { code: 'WEBHOOK_TIMEOUT' })), opts.timeoutMs);
    req.on('error', fail);
    req.on('response', (res) => {
      const statusCode = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => finish({ statusCode, snippet: printable(Buffer.concat(chunks).subarray(0, opts.maxResponseBytes)), durationMs: elapsed() });
      if (opts.maxResponseBytes === 0) return done();
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= opts.maxResponseBytes) done();
      });
      res.on('end', done);
      res.on('error', done); // the status line arrived: that is the answer
    });
    req.end(payload);
  });
}
