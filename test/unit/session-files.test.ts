/**
 * The keys a session's deletion looks for (db/files.ts) are the keys the service writes
 * (contract/file-keys.ts), and the SESSION_RETENTION_DAYS setting reads as documented.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { reportFileKey } from '../../contract/file-keys';
import { keyPrefixPattern, sessionReportPrefix } from '../../db/files';
import { ConfigError, loadConfig } from '../../platform/config';

describe('session files and retention setting', () => {
  it('finds every report of a session by its prefix, and no other session\'s', () => {
    const session = randomUUID();
    const at = new Date('2026-06-15T02:03:04Z');
    for (const type of ['excel', 'csv'] as const) {
      for (const taskId of [randomUUID(), null]) {
        assert.ok(reportFileKey(session, at, type, taskId).startsWith(sessionReportPrefix(session)));
        assert.ok(!reportFileKey(randomUUID(), at, type, taskId).startsWith(sessionReportPrefix(session)));
      }
    }
  });

  it('takes a prefix\'s own like wildcards literally', () => {
    assert.equal(keyPrefixPattern('reports/abc/'), 'reports/abc/%');
    assert.equal(keyPrefixPattern('a_b%c\\d/'), 'a\\_b\\%c\\\\d/%');
  });

  it('keeps sessions unless SESSION_RETENTION_DAYS is set to a whole number of days', () => {
    assert.equal(loadConfig({}).cleanup.sessionRetentionDays, 0);
    assert.equal(loadConfig({ SESSION_RETENTION_DAYS: '90' }).cleanup.sessionRetentionDays, 90);
    for (const bad of ['-1', '1.5', 'forever']) {
      assert.throws(() => loadConfig({ SESSION_RETENTION_DAYS: bad }), ConfigError, bad);
    }
  });
});
