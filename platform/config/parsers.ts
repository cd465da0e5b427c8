/**
 * The parsers a configuration row can use. Each turns the text of one environment variable
 * (already trimmed, or the row's default when unset) into a typed value, or throws a
 * ConfigError whose message is one line naming the variable and what it expects: that
 * line is all an operator sees, so it must say what to fix.
 */
import path from 'node:path';

/** A configuration value the service cannot start with. The message is one line, no stack needed. */
export class ConfigError extends Error {
  /**
   * What an entry point prints on stderr before it exits 1. Most problems are "configuration
   * errors"; a missing connection setting says what the command needs instead (see
   * requireInfrastructure), so the line can be given in full.
   */
  readonly line: string;

  constructor(message: string, line = `statementflow: configuration error: ${message}`) {
    super(message);
    this.name = 'ConfigError';
    this.line = line;
  }
}

export interface ParseContext {
  /** The environment variable, for the error message. */
  name: string;
  /** NODE_ENV=production: secrets are held to a stricter standard. */
  isProduction: boolean;
}

export type Parser<T> = (text: string, ctx: ParseContext) => T;

/** Whole numbers only: `PORT=80.5` or `PORT=80x` is a typo, not something to round. */
export function int(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (text, { name }) => {
    if (!/^-?\d+$/.test(text)) throw new ConfigError(`${name}=${JSON.stringify(text)} is not a whole number`);
    const n = Number(text);
    if (n < min || n > max) throw new ConfigError(`${name}=${n} must be between ${min} and ${max}`);
    return n;
  };
}

/** Any finite number in range (fractional retry intervals and coefficients are meaningful). */
export function num(min: number, max: number): Parser<number> {
  return (text, { name }) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new ConfigError(`${name}=${JSON.stringify(text)} must be a number between ${min} and ${max}`);
    }
    return n;
  };
}

/** The spellings people use in env files and compose files; anything else is refused, not read as false. */
export const bool: Parser<boolean> = (text, { name }) => {
  const s = text.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw new ConfigError(`${name}=${JSON.stringify(s)} must be true or false`);
};

/** Free text, as given. */
export const text: Parser<string> = (s) => s;

/** A directory, made absolute against the working directory once, so a later chdir cannot move it. */
export const directory: Parser<string> = (s) => path.resolve(s);

/** Comma-separated, blanks dropped: `a, b,,c` is three items. */
export const list: Parser<string[]> = (s) =>
  s
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** One of a fixed set; the value's type is that set, so code switching on it is checked. */
export function oneOf<const T extends string>(values: readonly T[]): Parser<T> {
  const expected = `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
  return (s, { name }) => {
    if (!(values as readonly string[]).includes(s)) throw new ConfigError(`${name}=${JSON.stringify(s)} must be ${expected}`);
    return s as T;
  };
}

/**
 * Text of a given form, or empty (for settings where empty means "not used", e.g. no
 * DATABASE_URL: `npm start` runs its own). `hideValue` keeps the value out of the message,
 * for values that carry a password.
 */
export function matching(pattern: RegExp, expected: string, opts: { hideValue?: boolean } = {}): Parser<string> {
  return (s, { name }) => {
    if (s && !pattern.test(s)) throw new ConfigError(`${opts.hideValue ? name : `${name}=${JSON.stringify(s)}`} ${expected}`);
    return s;
  };
}

/** An IANA zone name (`Africa/Johannesburg`), as Temporal schedules take it; checked by Intl, which knows the same list. */
export const timeZone: Parser<string> = (s, { name }) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s });
  } catch {
    throw new ConfigError(`${name}=${JSON.stringify(s)} is not an IANA time zone`);
  }
  return s;
};

/** A five-field cron line (minute hour day month weekday); the fields themselves are Temporal's to check. */
export const cron: Parser<string> = (s, { name }) => {
  if (s.split(/\s+/).length !== 5) throw new ConfigError(`${name}=${JSON.stringify(s)} must have 5 fields`);
  return s;
};

/** The example secrets in this repository (the development default, the example files' placeholders) all say so. */
const PUBLISHED_SECRET = /change-?me/i;

export interface SecretRules {
  /** Shorter is a typo or a placeholder, in any environment. */
  minLength: number;
  /** Set when an empty value is allowed and turns the feature off (says what it turns off). */
  emptyTurnsOff?: string;
  /** In production: fewer bytes than this could be guessed offline from one signed token. */
  productionMinBytes?: number;
  /** Values readable in this repository besides the `change-me` placeholders (the development default). */
  published?: readonly string[];
}

/**
 * A secret. In production a secret anyone can read in this repository, or one short enough
 * to guess offline, lets anyone in: refused at start, in one line.
 */
export function secret(rules: SecretRules): Parser<string> {
  const remedy = rules.emptyTurnsOff ? 'or leave it empty' : 'when NODE_ENV=production';
  return (s, { name, isProduction }) => {
    if (!s && rules.emptyTurnsOff) return s;
    // First in production: padding a placeholder to the minimum length would not fix it.
    if (isProduction && (PUBLISHED_SECRET.test(s) || rules.published?.includes(s))) {
      throw new ConfigError(`${name} is a published example value; set a random one (openssl rand -hex 32) ${remedy}`);
    }
    if (s.length < rules.minLength) {
      const orEmpty = rules.emptyTurnsOff ? ` (or empty to ${rules.emptyTurnsOff})` : '';
      throw new ConfigError(`${name} must be at least ${rules.minLength} characters${orEmpty}`);
    }
    if (isProduction && rules.productionMinBytes && Buffer.byteLength(s) < rules.productionMinBytes) {
      throw new ConfigError(`${name} must be at least ${rules.productionMinBytes} bytes when NODE_ENV=production (openssl rand -hex 32)`);
    }
    return s;
  };
}
