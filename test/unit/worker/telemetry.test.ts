/** The worker's runtime logger: SDK lines become our JSON lines, with the workflow id named task_id. */
import assert from 'node:assert/strict';
import { LogTimestamp } from '@temporalio/worker';
import { createLogger } from '../../../platform/logger';
import { JsonRuntimeLogger, toLogFields } from '../../../worker/telemetry';

describe('worker telemetry: JSON runtime logger', () => {
  function capture(level: 'debug' | 'info' = 'info') {
    const lines: Record<string, unknown>[] = [];
    const logger = new JsonRuntimeLogger(createLogger(level, { service: 'worker' }, (l) => lines.push(JSON.parse(l))));
    return { logger, lines };
  }

  it('names the workflow id task_id and keeps the attributes the workflow passed (user_id)', () => {
    const { logger, lines } = capture();
    logger.info('task started', {
      sdkComponent: 'workflow',
      workflowId: '6f1c…task',
      runId: 'run-1',
      workflowType: 'parsePdf',
      taskQueue: 'pdf_processing',
      namespace: 'default',
      user_id: '42',
      [LogTimestamp]: 1_700_000_000_123_000_000n,
    });
    assert.equal(lines.length, 1);
    const line = lines[0];
    assert.equal(line.msg, 'task started');
    assert.equal(line.level, 'info');
    assert.equal(line.service, 'worker');
    assert.equal(line.task_id, '6f1c…task');
    assert.equal(line.user_id, '42');
    assert.equal(line.run_id, 'run-1');
    assert.equal(line.workflow_type, 'parsePdf');
    assert.equal(line.task_queue, 'pdf_processing');
    assert.equal(line.sdk_component, 'workflow');
    assert.equal(line.time, new Date(1_700_000_000_123).toISOString(), 'the SDK timestamp, not the write time');
    assert.equal('workflowId' in line, false);
  });

  it('drops the task token, makes errors and bigints JSON-safe, and maps levels (TRACE → debug)', () => {
    const fields = toLogFields({ taskToken: new Uint8Array([1, 2]), workflowRunId: 'r', activityType: 'categorizeChunk', err: new TypeError('boom'), n: 5n });
    assert.equal('taskToken' in fields, false);
    assert.equal(fields.run_id, 'r');
    assert.equal(fields.activity_type, 'categorizeChunk');
    assert.deepEqual({ ...(fields.err as object), stack: undefined }, { name: 'TypeError', message: 'boom', stack: undefined });
    assert.equal(fields.n, '5');

    const { logger, lines } = capture('info');
    logger.trace('hidden');
    logger.debug('hidden');
    logger.warn('w');
    logger.error('e');
    assert.deepEqual(lines.map((l) => [l.level, l.msg]), [['warn', 'w'], ['error', 'e']]);
    const verbose = capture('debug');
    verbose.logger.trace('t');
    assert.equal(verbose.lines[0].level, 'debug');
  });
});
