// Where the text of a page sits, worked out in the pdf.js thread (pdfjs-thread.mjs) and
// sent to the caller as JSON text: the work file's own format, which the caller stores as
// it is. Sent as objects, the ~17,000 items of a 46-page chunk would be a structured clone
// item by item on both sides (~0.4 s of a 500-page statement, against pdf.js's own ~2.3 s:
// bench/RESULTS.md); one string is copied whole. The shape is PositionedPage's (../types.ts).

/** A page needs at least this many characters (spaces not counted) to have a text layer: text-layer.ts's MIN_TEXT_CHARS. */
export const MIN_TEXT_CHARS = 10;

const round = (n) => Math.round(n * 100) / 100;

/** Viewport × item transform: where an item sits on the page as displayed, y down; null for what no table holds. */
function toItem(item, vt) {
  const str = item.str;
  const t = item.transform;
  if (typeof str !== 'string' || !str || !t || !/\S/.test(str)) return null;
  const a = vt[0] * t[0] + vt[2] * t[1];
  const b = vt[1] * t[0] + vt[3] * t[1];
  const c = vt[0] * t[2] + vt[2] * t[3];
  const d = vt[1] * t[2] + vt[3] * t[3];
  const e = vt[0] * t[4] + vt[2] * t[5] + vt[4];
  const f = vt[1] * t[4] + vt[3] * t[5] + vt[5];
  // Only upright, left-to-right text belongs to a table; rotated margin notes do not.
  if (a <= 0 || d >= 0 || Math.abs(b) > 0.05 * a || Math.abs(c) > 0.05 * -d) return null;
  const height = Math.hypot(c, d);
  return { str, x: round(e), y: round(f - height), width: round(item.width ?? 0), height: round(height) };
}

/** Whether these items make a text layer (text-layer.ts's pageHasText, on the thread's side). */
function hasText(items) {
  let n = 0;
  for (const it of items) {
    n += it.str.replace(/\s+/g, '').length;
    if (n >= MIN_TEXT_CHARS) return true;
  }
  return false;
}

/** One page as PositionedPage: `viewport` is pdf.js's at scale 1, `items` its getTextContent() items. */
export function positionedPage(page, viewport, items) {
  const placed = [];
  for (const it of items) {
    const item = toItem(it, viewport.transform);
    if (item) placed.push(item);
  }
  return { page, width: round(viewport.width), height: round(viewport.height), items: placed, hasText: hasText(placed) };
}

/** Pages as the caller gets them: the JSON text of the list, and which pages have no text layer (OCR's). */
export function pagesAnswer(pages) {
  return { json: JSON.stringify(pages), textless: pages.filter((p) => !p.hasText).map((p) => p.page) };
}
