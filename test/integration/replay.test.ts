/**
 * Determinism: recorded histories of every workflow type (test/fixtures/histories, made by
 * record.ts from the code as it was) replay against today's workflow bundle. A change that
 * would break workflows already running in production fails here.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { getWorkflowBundle } from '../support/temporal';

const DIR = path.resolve(__dirname, '../fixtures/histories');

describe('workflow determinism: recorded histories replay', function () {
  this.timeout(120_000);

  it('replays every recorded history without a nondeterminism error', async () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.history.bin')).sort();
    assert.ok(files.length >= 6, `histories: ${files.join(', ')}`);
    const histories = files.map((f) => ({
      workflowId: f.replace('.history.bin', ''),
      history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(DIR, f))),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const r of Worker.runReplayHistories({ workflowBundle: await getWorkflowBundle() }, histories)) {
      replayed += 1;
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    assert.equal(replayed, files.length);
    assert.deepEqual(failures, []);
  });

  it('notices a history that does not match the code', async () => {
    // The parse history, replayed as if it were a report: commands differ at once.
    const history = temporal.api.history.v1.History.decode(fs.readFileSync(path.join(DIR, 'parse-pdf-success.history.bin')));
    const started = history.events![0].workflowExecutionStartedEventAttributes!;
    started.workflowType = { name: 'generateReport' };
    await assert.rejects(Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, history), /nondetermin|DeterminismViolation|Nondeterminism/i);
  });
});
