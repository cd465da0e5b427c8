/**
 * Telling an orphaned embedded server (its starter killed) from one a running start owns:
 * by the owner file in DATA_DIR (pid and process start time), else by the parent process.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claimDataDir, isOrphaned, parentOf, releaseDataDir, startTimeOf } from '../../devenv/leftovers';

describe('runtime: leftovers of a killed start', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'statementflow-test-leftovers-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const writeOwner = (owner: unknown) => fs.writeFileSync(path.join(dataDir, '.owner'), JSON.stringify(owner));
  const server = () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
  };

  it('reads a process\'s parent and start time from /proc', () => {
    assert.equal(parentOf(process.pid), process.ppid);
    assert.match(startTimeOf(process.pid) ?? '', /^\d+$/);
    assert.equal(startTimeOf(2 ** 22 + 12345), null, 'no such process');
  });

  it('judges by the owner file: the claiming process alive means owned, gone or replaced means orphaned', () => {
    const s = server();
    try {
      claimDataDir(dataDir);
      assert.equal(isOrphaned(s.pid, dataDir), false, 'this process owns it');
      // A live owner other than us: our parent, with its real start time.
      writeOwner({ pid: process.ppid, start: startTimeOf(process.ppid) });
      assert.equal(isOrphaned(s.pid, dataDir), false, 'its owner still runs');
      writeOwner({ pid: process.ppid, start: '1' });
      assert.equal(isOrphaned(s.pid, dataDir), true, 'the owner pid now belongs to another process');
      const gone = spawnSync('true').pid;
      writeOwner({ pid: gone, start: '1' });
      assert.equal(isOrphaned(s.pid, dataDir), true, 'its owner is gone');
    } finally {
      s.stop();
    }
  });

  it('releases only its own claim', () => {
    writeOwner({ pid: process.ppid, start: startTimeOf(process.ppid) });
    releaseDataDir(dataDir);
    assert.ok(fs.existsSync(path.join(dataDir, '.owner')), 'another process\'s claim stays');
    claimDataDir(dataDir);
    releaseDataDir(dataDir);
    assert.equal(fs.existsSync(path.join(dataDir, '.owner')), false);
  });

  it('without an owner file, a server whose parent is a live Node process is not orphaned', () => {
    const s = server(); // our child: its parent is this Node process
    try {
      assert.equal(isOrphaned(s.pid, dataDir), false);
    } finally {
      s.stop();
    }
  });
});
