/**
 * What one delivery attempt's outcome means for the next: done, try again later, or give
 * up. A receiver that is down or overloaded (5xx, 408, 429, no answer in time, connection
 * refused or reset, a name that does not resolve yet) gets retried; one that answered
 * that it does not want this (another 4xx, a redirect, which is not followed) or an
 * address that may not be called is final.
 */
export type AttemptError =
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns_failure'
  | 'tls_error'
  | 'private_address'
  | 'bad_url'
  | 'network_error';

export type Attempt = { statusCode: number } | { error: AttemptError };
export type Verdict = 'delivered' | 'retry' | 'final';

const FINAL_ERRORS: ReadonlySet<AttemptError> = new Set(['private_address', 'bad_url']);

export function attemptVerdict(a: Attempt): Verdict {
  if ('error' in a) return FINAL_ERRORS.has(a.error) ? 'final' : 'retry';
  const s = a.statusCode;
  if (s >= 200 && s < 300) return 'delivered';
  if (s >= 500 || s === 408 || s === 429) return 'retry';
  return 'final';
}
