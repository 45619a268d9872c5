/** Runs `job` every `ms`, never two at once (a slow round skips the next beat); a failure is reported, the beats go on. */
export function repeat(ms: number, job: () => Promise<void>, onError: (error: unknown) => void): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    job()
      .catch(onError)
      .finally(() => (running = false));
  }, ms);
  timer.unref();
  return timer;
}
