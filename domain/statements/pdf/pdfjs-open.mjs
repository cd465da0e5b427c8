// Opening a document in the pdf.js thread, for text (pdfjs-thread.mjs) and for rendering
// (pdfjs-render.mjs): a load that fails is destroyed at once, so a bad file leaves no
// half-loaded document behind in the thread.

/** The loading task and its document; destroy the task to let the document go. */
export async function openPdf(pdfjs, options) {
  const task = pdfjs.getDocument(options);
  try {
    return { task, doc: await task.promise };
  } catch (err) {
    await task.destroy().catch(() => undefined);
    throw err;
  }
}
