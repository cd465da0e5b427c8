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

/** The built-ins put back after loading, by where they live. */
const KEPT_NATIVE = [
  [Array.prototype, 'push'],
  [JSON, 'parse'],
];

/** pdf.js's API module, loaded with its worker half, and the native built-ins restored. */
export async function loadPdfjs() {
  const natives = KEPT_NATIVE.map(([owner, name]) => [owner, name, Object.getOwnPropertyDescriptor(owner, name)]);
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  globalThis.pdfjsWorker ??= await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
  for (const [owner, name, descriptor] of natives) Object.defineProperty(owner, name, descriptor);
  return pdfjs;
}
