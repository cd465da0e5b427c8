/**
 * LIKE patterns from literal text. The SQL uses `LIKE ? ESCAPE '\'`, so the three
 * characters special to LIKE (%, _ and the escape character \ itself) are prefixed with \
 * and everything else in the value is matched literally.
 */
export function escapeLike(literal: string): string {
  return literal.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function likeContains(literal: string): string {
  return `%${escapeLike(literal)}%`;
}

export function likeStartsWith(literal: string): string {
  return `${escapeLike(literal)}%`;
}

export function likeEndsWith(literal: string): string {
  return `%${escapeLike(literal)}`;
}
