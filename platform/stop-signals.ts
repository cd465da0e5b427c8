/**
 * Calls `stop(signal)` on the first SIGINT, SIGTERM or SIGHUP the process gets, and never
 * again. One Ctrl-C or `kill` often arrives two or three times — the terminal signals the
 * whole process group, and npm and tsx relay it as well — and a repeat must neither start
 * a second stop nor, as with `process.once`, find no handler and let Node kill the process
 * half-way through stopping (which left npm start's Postgres and Temporal running).
 * SIGKILL is the way to stop at once. `onRepeat` hears the repeats, for a log line.
 */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function onStopSignal(stop: (signal: NodeJS.Signals) => void, onRepeat?: (signal: NodeJS.Signals) => void): void {
  let stopping = false;
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (stopping) return onRepeat?.(signal);
      stopping = true;
      stop(signal);
    });
  }
}
