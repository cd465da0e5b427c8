/**
 * Money is right-aligned, so a money column's figures share a right edge: items grouped by
 * that edge, left to right, a new group wherever the next edge is more than `gap` points on.
 */
export function groupByRightEdge<T>(items: readonly T[], edge: (t: T) => number, gap: number): T[][] {
  const sorted = [...items].sort((a, b) => edge(a) - edge(b));
  const out: T[][] = [];
  for (const t of sorted) {
    const last = out[out.length - 1];
    if (last && edge(t) - edge(last[last.length - 1]) <= gap) last.push(t);
    else out.push([t]);
  }
  return out;
}
