/** How database values are written in the API's JSON: dates as YYYY-MM-DD, numeric strings as numbers. */

/** A `date` column (pg gives a Date or, for to_char, a string) as YYYY-MM-DD; null stays null. */
export const isoDay = (d: Date | string | null): string | null => (d === null ? null : typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));

/** A numeric(14,2) column (pg gives an exact decimal string) as a JSON number; null stays null. */
export const decimalOrNull = (v: string | null): number | null => (v === null ? null : Number(v));
