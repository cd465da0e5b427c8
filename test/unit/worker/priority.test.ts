/** TASK_PRIORITIES: the Celery service's queue weights become Temporal priority keys (1 first … 5 last). */
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, queuePriorityKeys } from '../../../platform/config';

describe('queue priority → Temporal priority key', () => {
  it("maps the Celery service's pdf_processing:10,reports:5,default:1 by default; an unlisted queue keeps Temporal's default 3", () => {
    assert.deepEqual(loadConfig({}).queuePriorityKeys, { pdf_processing: 1, bulk_operations: 3, reports: 3, default: 5 });
  });

  it('is linear between the highest and lowest weight', () => {
    assert.deepEqual(queuePriorityKeys('pdf_processing:100,bulk_operations:75,reports:50,default:0'), {
      pdf_processing: 1,
      bulk_operations: 2,
      reports: 3,
      default: 5,
    });
  });

  it('leaves every queue at 3 when no weights, or equal weights, are given', () => {
    assert.deepEqual(queuePriorityKeys(''), { pdf_processing: 3, bulk_operations: 3, reports: 3, default: 3 });
    assert.deepEqual(queuePriorityKeys('reports:5,default:5'), { pdf_processing: 3, bulk_operations: 3, reports: 3, default: 3 });
  });

  it('refuses an unknown queue or a malformed weight', () => {
    assert.throws(() => loadConfig({ TASK_PRIORITIES: 'celery:10' }), ConfigError);
    assert.throws(() => loadConfig({ TASK_PRIORITIES: 'reports:high' }), /queue:weight/);
  });
});
