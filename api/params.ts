/** Query-parameter readers that answer 400 with a clear message instead of guessing. */
import { BadRequestError } from '../contract/errors';

export function intParam(
  value: unknown,
  name: string,
  opts: { min: number; max: number; fallback: number },
): number {
  if (value === undefined || value === '') return opts.fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new BadRequestError(`${name} must be a whole number`);
  const n = Number(value);
  if (n < opts.min || n > opts.max) throw new BadRequestError(`${name} must be between ${opts.min} and ${opts.max}`);
  return n;
}

export function boolParam(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new BadRequestError(`${name} must be true or false`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

export function uuidParam(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new BadRequestError(`${name} is required`);
  if (!UUID.test(value)) throw new BadRequestError(`${name} must be a UUID`);
  return value.toLowerCase();
}
