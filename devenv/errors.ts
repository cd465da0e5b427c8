/**
 * InfraError: the runtime layer's one error type. Its message is one line a person can act
 * on (a port is taken, a binary is missing, a data dir is unusable); entry points print it
 * without a stack trace and exit 1.
 */
export class InfraError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfraError';
  }
}

/** A one-line description of anything thrown (errors, strings, undefined). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.replace(/\s*\n\s*/g, ' ').trim() || err.name;
  if (err === undefined || err === null) return 'unknown error';
  return String(err).replace(/\s*\n\s*/g, ' ').trim();
}
