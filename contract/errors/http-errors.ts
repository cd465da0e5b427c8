import { AppError } from './app-error';

/** 400: the request is malformed (bad query parameter, broken JSON, missing part). */
export class BadRequestError extends AppError {
  constructor(message: string, code = 'BAD_REQUEST', details?: unknown) {
    super(400, code, message, details);
    this.name = 'BadRequestError';
  }
}

/** 401: no token, or one that does not verify. */
export class UnauthorizedError extends AppError {
  constructor(message = 'A valid Bearer token is required', code = 'UNAUTHORIZED') {
    super(401, code, message);
    this.name = 'UnauthorizedError';
  }
}

/** 404: absent, or owned by someone else: the two are never told apart. */
export class NotFoundError extends AppError {
  constructor(message: string, code = 'NOT_FOUND') {
    super(404, code, message);
    this.name = 'NotFoundError';
  }
}

/** 409: the request conflicts with the resource's current state. */
export class ConflictError extends AppError {
  constructor(message: string, code = 'CONFLICT', details?: unknown) {
    super(409, code, message, details);
    this.name = 'ConflictError';
  }
}

/** 410: it existed, and its time is up. */
export class GoneError extends AppError {
  constructor(message: string, code = 'GONE') {
    super(410, code, message);
    this.name = 'GoneError';
  }
}

/** 413: a body or upload over its configured limit. */
export class PayloadTooLargeError extends AppError {
  constructor(message: string, code = 'PAYLOAD_TOO_LARGE') {
    super(413, code, message);
    this.name = 'PayloadTooLargeError';
  }
}

/** 415: a file that is not of the accepted type. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string, code = 'UNSUPPORTED_MEDIA_TYPE') {
    super(415, code, message);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** 422: well-formed, but the content is invalid (a rule set, a report type). */
export class ValidationError extends AppError {
  constructor(message: string, code = 'VALIDATION_FAILED', details?: unknown) {
    super(422, code, message, details);
    this.name = 'ValidationError';
  }
}

/** 429: this caller is over their share of a limit others share too; Retry-After says when to try again. */
export class TooManyRequestsError extends AppError {
  constructor(message: string, code = 'TOO_MANY_REQUESTS') {
    super(429, code, message);
    this.name = 'TooManyRequestsError';
  }
}

/** 503: a dependency (Temporal, Postgres) did not answer. */
export class ServiceUnavailableError extends AppError {
  constructor(message: string, code = 'SERVICE_UNAVAILABLE') {
    super(503, code, message);
    this.name = 'ServiceUnavailableError';
  }
}
