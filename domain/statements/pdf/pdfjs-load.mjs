// Loading pdf.js's legacy build for the pdf.js thread, without the two built-ins it slows.
//
// The legacy build (the one that runs on Node 20) bundles core-js, which on load replaces
// Array.prototype.push with a JavaScript version (for an array-length edge case past 2^32)
// and JSON.parse with a wrapper (for a proposal pdf.js never uses). pdf.js pushes every
// glyph of every text item, so the replaced push alone cost ~20% of text extraction: a
// 500-page statement read in ~4.4 s with the built-ins put back against ~5.5 s without
// (bench/RESULTS.md). The worker half of pdf.js is loaded here too, before the built-ins
// are put back, so that its own core-js copy finds them already replaced and leaves them;
// pdf.js then runs its "fake worker" from `globalThis.pdfjsWorker` in this thread, as it
// would have anyway in Node. Everything else core-js adds (methods Node 20 lacks) stays.
//
// The two halves talk through pdf.js's LoopbackPort, which structured-clones every message
// as a real worker's port would. For text that is a copy of every item pdf.js has just
// built and will not touch again: ~12% of a long statement's extraction (503 pages, 186,000
// items: bench/RESULTS.md). So a text-content chunk's items pass as they are, in a one-level
// copy of the message (see textChunkClone).

/** The built-ins put back after loading, by where they live. */
const KEPT_NATIVE = [
  [Array.prototype, 'push'],
  [JSON, 'parse'],
];

/** pdf.js's MessageHandler stream message that carries a chunk (StreamKind.ENQUEUE). */
const STREAM_ENQUEUE = 4;

/**
 * structuredClone for the thread that runs both halves of pdf.js: a text-content chunk
 * ({items, styles, lang} in an ENQUEUE message) is copied one level deep, everything else
 * cloned natively. One level is enough: after sending a chunk, pdf.js's getTextContent
 * gives its reused `textContent` object a new `items` array and `styles` object, and every
 * item is an object built for that chunk alone. Passing the message itself would not do:
 * the receiver, called later, would find the reused object's new, empty array.
 */
function textChunkClone(nativeClone) {
  return function structuredClone(value, options) {
    const chunk = value?.chunk;
    if (value?.stream === STREAM_ENQUEUE && chunk && Array.isArray(chunk.items) && !options?.transfer?.length) {
      return { ...value, chunk: { ...chunk } };
    }
    return nativeClone(value, options);
  };
}

/**
 * pdf.js's API module, loaded with its worker half, the native built-ins restored, and text
 * chunks passed between the halves without a copy. Meant for a thread of pdf.js's own: the
 * last replaces this thread's global structuredClone.
 */
export async function loadPdfjs() {
  const natives = KEPT_NATIVE.map(([owner, name]) => [owner, name, Object.getOwnPropertyDescriptor(owner, name)]);
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  globalThis.pdfjsWorker ??= await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
  for (const [owner, name, descriptor] of natives) Object.defineProperty(owner, name, descriptor);
  if (!globalThis.structuredClone.textChunks) {
    globalThis.structuredClone = Object.assign(textChunkClone(globalThis.structuredClone), { textChunks: true });
  }
  return pdfjs;
}
