/**
 * Progress, cancellation, backpressure and sink failure — for both renderers, since an
 * activity must be able to heartbeat and cancel either of them.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { renderCsvReport, renderExcelReport, type RenderOptions, type ReportRow } from '../../../domain/reports';
import { BlockedSink, DEFAULT_VAT, MemorySink, loadWorkbook, settle } from './helpers';

type Renderer = typeof renderCsvReport;

function source(limit = Number.POSITIVE_INFINITY, onPull?: (pulled: number) => void) {
  const state = { pulled: 0, closed: false };
  async function* rows(): AsyncIterable<ReportRow> {
    try {
      for (let i = 0; i < limit; i++) {
        state.pulled += 1;
        onPull?.(state.pulled);
        // Like a database cursor: now and then a real trip through the event loop.
        if (i % 500 === 0) await nextTurn();
        yield {
          date: `2024-0${1 + (i % 9)}-1${i % 10}`,
          description: `Row ${i} POS PURCHASE SOMEWHERE`,
          category: i % 2 ? 'Fuel' : 'Salary',
          amountCents: i % 2 ? -(i % 100_000) : i % 100_000,
          balanceCents: i,
        };
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, rows: rows() };
}

const base: RenderOptions = { includeVat: true, vat: DEFAULT_VAT };

for (const [name, render] of [
  ['Excel', renderExcelReport],
  ['CSV', renderCsvReport],
] as Array<[string, Renderer]>) {
  describe(`reports: ${name} progress and cancellation`, function () {
    this.timeout(60_000);

    it('reports every N rows and once at the end', async () => {
      const calls: number[] = [];
      const { rows } = source(3500);
      const outcome = await render(rows, new MemorySink(), { ...base, progressEvery: 1000, onProgress: (n) => void calls.push(n) });
      assert.deepEqual(calls, [1000, 2000, 3000, 3500]);
      assert.equal(outcome.rowsWritten, 3500);
    });

    it('does not repeat the final count when it falls on a multiple, and defaults to every 5000', async () => {
      const calls: number[] = [];
      await render(source(10_000).rows, new MemorySink(), { ...base, onProgress: (n) => void calls.push(n) });
      assert.deepEqual(calls, [5000, 10_000]);
    });

    it('awaits an async progress callback before pulling more rows', async () => {
      const { state, rows } = source(2500);
      const seen: number[] = [];
      await render(rows, new MemorySink(), {
        ...base,
        progressEvery: 1000,
        onProgress: async (n) => {
          const pulledBefore = state.pulled;
          await new Promise((r) => setTimeout(r, 30));
          assert.equal(state.pulled, pulledBefore, 'no rows pulled while the callback runs');
          seen.push(n);
        },
      });
      assert.deepEqual(seen, [1000, 2000, 2500]);
    });

    it('rejects a bad progressEvery', async () => {
      for (const progressEvery of [0, -5, 2.5, Number.NaN]) {
        await assert.rejects(render(source(1).rows, new MemorySink(), { ...base, progressEvery }), RangeError);
      }
    });

    it('stops promptly on abort, rejects with the abort reason, closes the source and stops writing', async () => {
      const controller = new AbortController();
      const reason = new Error('cancelled by user');
      const { state, rows } = source(Number.POSITIVE_INFINITY, (n) => {
        if (n === 2000) controller.abort(reason);
      });
      const sink = new MemorySink();
      await assert.rejects(render(rows, sink, { ...base, signal: controller.signal }), (err) => err === reason);
      assert.ok(state.pulled <= 2001, `pulled ${state.pulled} rows after the abort`);
      assert.ok(state.closed, 'the row source was closed (cursor released)');
      const writes = sink.writes;
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(sink.writes, writes, 'nothing written after rejecting');
      assert.equal(sink.writableEnded, false, 'the sink is not ended: a cancelled file must not look complete');
    });

    it('stops on an abort from a timer (the usual activity cancellation)', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(render(source().rows, new MemorySink(), { ...base, signal: controller.signal }), {
        name: 'AbortError',
      });
    });

    it('writes nothing and pulls nothing when already aborted', async () => {
      const controller = new AbortController();
      controller.abort(new Error('too late'));
      const { state, rows } = source();
      const sink = new MemorySink();
      await assert.rejects(render(rows, sink, { ...base, signal: controller.signal }), /too late/);
      assert.equal(state.pulled, 0);
      assert.equal(sink.writes, 0);
    });

    it('abort interrupts a progress callback that never returns', async () => {
      const controller = new AbortController();
      const pending = render(source().rows, new MemorySink(), {
        ...base,
        progressEvery: 100,
        signal: controller.signal,
        onProgress: () => new Promise<void>(() => undefined),
      });
      setTimeout(() => controller.abort(new Error('stop')), 50);
      await assert.rejects(pending, /stop/);
    });

    it('respects a stalled sink: stops pulling rows, resumes when it drains', async () => {
      const total = 100_000;
      const { state, rows } = source(total);
      const sink = new BlockedSink();
      const rendering = render(rows, sink, base);
      let outcome;
      try {
        const pulled = await settle(() => state.pulled);
        // Without backpressure the whole source would be consumed into memory.
        const bound = name === 'Excel' ? 50_000 : 5_000;
        assert.ok(pulled < bound, `pulled ${pulled} of ${total} rows into a stalled sink`);
      } finally {
        sink.release(); // even on failure: a render left waiting would keep mocha alive
        outcome = await rendering;
      }
      assert.equal(outcome.rowsWritten, total);
      if (name === 'Excel') {
        const wb = await loadWorkbook(sink.buffer);
        assert.equal(wb.getWorksheet('Transactions')!.rowCount, total + 1);
      } else {
        assert.equal(sink.buffer.toString('utf8').split('\r\n').length, total + 2);
      }
    });

    it('abort interrupts a wait on a stalled sink', async () => {
      const controller = new AbortController();
      const { state, rows } = source(100_000);
      const rendering = render(rows, new BlockedSink(), { ...base, signal: controller.signal });
      const pulled = await settle(() => state.pulled);
      assert.ok(pulled < 100_000, 'the render is stalled, not finished');
      controller.abort(new Error('cancel while stalled'));
      await assert.rejects(rendering, /cancel while stalled/);
    });

    it('rejects with the sink error when the output fails mid-render', async () => {
      let bytes = 0;
      const failing = new Writable({
        write(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          cb(bytes > 100_000 ? new Error('chunk store unavailable') : null);
        },
      });
      await assert.rejects(render(source(200_000).rows, failing, base), /chunk store unavailable/);
    });
  });
}
