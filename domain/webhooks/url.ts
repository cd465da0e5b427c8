/**
 * Whether a URL may receive webhooks, before any request is made. With private addresses
 * refused (production): https only, and a literal IP address must be public; a name is
 * checked again on every delivery, against every address it resolves to. With them
 * allowed (development): https anywhere, plain http to this machine only.
 */
import { isIP } from 'node:net';
import { classifyAddress } from './addresses';

export const MAX_URL_LENGTH = 2048;

/** The host without IPv6 brackets. */
export const bareHost = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

const isLocalName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');

export function isLoopbackHost(host: string): boolean {
  return isLocalName(host.toLowerCase()) || (isIP(host) !== 0 && classifyAddress(host) === 'loopback');
}

/** The parsed URL, or why it is refused (a sentence for the client). */
export function checkWebhookUrl(raw: unknown, opts: { allowPrivateAddresses: boolean }): { url: URL } | { problem: string } {
  if (typeof raw !== 'string' || raw.trim() === '') return { problem: 'must be an absolute https URL' };
  if (raw.length > MAX_URL_LENGTH) return { problem: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (url.username || url.password) return { problem: 'must not contain a user name or password; use callback_secret to authenticate deliveries' };
  const host = bareHost(url).toLowerCase();
  if (url.protocol === 'http:') {
    if (!opts.allowPrivateAddresses || !isLoopbackHost(host)) return { problem: 'must use https (plain http only to localhost in development)' };
    return { url };
  }
  if (url.protocol !== 'https:') return { problem: 'must use https' };
  if (!opts.allowPrivateAddresses) {
    if (isLocalName(host)) return { problem: 'must not point at this machine' };
    if (isIP(host) !== 0 && classifyAddress(host) !== 'public') {
      return { problem: 'must not point at a private, loopback, link-local or reserved address' };
    }
  }
  return { url };
}
