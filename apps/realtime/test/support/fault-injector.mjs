// Test-only preload for a spawned service (`node --import tsx --import <this>`): it lets a test
// make the real process hit the faults the process-level handlers exist for, without any hook
// in product code. SIGUSR2: an unobserved promise rejection. SIGHUP: an uncaught exception.
process.on("SIGUSR2", () => {
  void Promise.reject(new Error("injected rejection from the test"));
});
process.on("SIGHUP", () => {
  setImmediate(() => {
    throw new Error("injected exception from the test");
  });
});
