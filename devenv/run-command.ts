/**
 * Running a short-lived command (a binary's version check, pip, a Python one-liner) and
 * turning its failure into one line a person can act on: not found, not executable, timed
 * out, or the error line it printed, rather than a wall of output.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

/** The first line of a command's output, cut short, for quoting it in an error. */
export function firstLine(s: string): string {
  return (s.trim().split('\n')[0] ?? '').slice(0, 200);
}

/** execFile with a timeout; rejects with the command's last stderr line. */
export function run(file: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      const cmd = path.basename(file);
      if (e.code === 'ENOENT') return reject(new Error(`${cmd} not found`));
      if (e.code === 'EACCES') return reject(new Error(`${cmd} is not executable`));
      if (e.killed) return reject(new Error(`${cmd} did not finish within ${timeoutMs / 1000} s`));
      const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
      const errLine = [...lines].reverse().find((l) => /error|exception|denied|not found/i.test(l)) ?? lines[lines.length - 1];
      reject(new Error(`${cmd} exited with ${e.code ?? 'an error'}${errLine ? `: ${errLine.slice(0, 300)}` : ''}`));
    });
  });
}
