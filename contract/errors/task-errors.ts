/**
 * Errors raised inside activities for bad input. They are non-retryable: retrying a
 * password-protected PDF or an invalid rule set can only fail again. Each carries a
 * stable code that ends up in `task_status.error.code` and in the API's error body.
 * Their names are listed in NON_RETRYABLE_ERROR_TYPES, which every activity proxy uses.
 */
export class TaskInputError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TaskInputError';
    this.code = code;
  }
}

export const NON_RETRYABLE_ERROR_TYPES = ['TaskInputError'];

/** Codes used by the built-in operations (others may be added by activities). */
export const TaskErrorCodes = {
  /** The PDF is locked with a user password and none was sent with the upload. */
  PDF_ENCRYPTED: 'PDF_ENCRYPTED',
  /** The password sent with the upload does not open the PDF. */
  PDF_PASSWORD_INCORRECT: 'PDF_PASSWORD_INCORRECT',
  PDF_UNREADABLE: 'PDF_UNREADABLE',
  PDF_NO_TEXT: 'PDF_NO_TEXT',
  /** Reading the PDF would take more time or memory than any statement needs (a hostile or broken file). */
  PDF_TOO_COMPLEX: 'PDF_TOO_COMPLEX',
  NOT_A_STATEMENT: 'NOT_A_STATEMENT',
  AMOUNT_OUT_OF_RANGE: 'AMOUNT_OUT_OF_RANGE',
  PARSE_DISCARDED: 'PARSE_DISCARDED',
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  INVALID_RULES: 'INVALID_RULES',
  SOFT_TIME_LIMIT: 'SOFT_TIME_LIMIT',
  HARD_TIME_LIMIT: 'HARD_TIME_LIMIT',
  TERMINATED: 'TERMINATED',
  CANCELLED: 'CANCELLED',
  TASK_FAILED: 'TASK_FAILED',
  DATA_REJECTED: 'DATA_REJECTED',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
