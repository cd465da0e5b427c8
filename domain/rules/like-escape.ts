/**
 * LIKE patterns from literal text (starts_with, ends_with; contains uses strpos). The SQL
 * uses `LIKE ? ESCAPE E'\\'` (one backslash), so the three characters special to LIKE
 * (%, _ and the escape character \ itself) are prefixed with \ and everything else is
 * matched literally.
 */
export function escapeLike(literal: string): string {
  return literal.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function likeStartsWith(literal: string): string {
  return `${escapeLike(literal)}%`;
}

export function likeEndsWith(literal: string): string {
  return `%${escapeLike(literal)}`;
}
