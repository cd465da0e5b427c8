/**
 * The one error type the API turns into a response. `code` is stable and machine-readable
 * (clients branch on it); `status` is the HTTP status; `expose` says whether `message` is
 * safe to show a client. Every subclass sets a stable `name`, because Temporal matches
 * `nonRetryableErrorTypes` by name.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  readonly expose: boolean;

  constructor(status: number, code: string, message: string, details?: unknown, expose = true) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.expose = expose;
  }
}
