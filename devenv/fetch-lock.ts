/**
 * A lock shared between processes, so that two of them fetching the same binary into the
 * same cache at once (say, two test runs started together) take turns instead of
 * writing over each other. It is a directory, because creating one is atomic.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isAlive, sleep } from './processes';

/**
 * A lock directory (mkdir is atomic). A lock whose owner process is gone, or that is older
 * than 15 minutes, is taken over. Waits up to 15 minutes for a live owner.
 */
export async function acquireLock(lockDir: string, log?: (m: string) => void): Promise<() => void> {
  const deadline = Date.now() + 15 * 60_000;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let stale = false;
    try {
      const ownerText = fs.readFileSync(path.join(lockDir, 'pid'), 'utf8').trim();
      const owner = Number(ownerText);
      const age = Date.now() - fs.statSync(lockDir).mtimeMs;
      stale = (ownerText !== '' && Number.isInteger(owner) && !isAlive(owner)) || age > 15 * 60_000;
    } catch {
      // pid file not written yet (owner just created the dir), or lock just released
      try {
        stale = Date.now() - fs.statSync(lockDir).mtimeMs > 60_000;
      } catch {
        stale = false;
      }
    }
    if (stale) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the fetch lock ${lockDir}`);
    if (!announced) {
      log?.(`waiting for another process fetching into ${path.dirname(lockDir)} ...`);
      announced = true;
    }
    await sleep(250);
  }
}
