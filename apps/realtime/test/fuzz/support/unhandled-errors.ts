import { expect } from "vitest";

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Collects unhandled rejections and uncaught exceptions in this worker (where
 * the in-process server runs), so the case that caused one fails at once with
 * its input, rather than only the run failing later. vitest's own handlers
 * still see them and fail the run too (in the real process, each one exits it).
 */
export function trackUnhandledErrors() {
  const seen: unknown[] = [];
  const subscribers = new Set<(error: unknown) => void>();
  const record = (error: unknown) => {
    seen.push(error);
    for (const subscriber of [...subscribers]) subscriber(error);
  };
  process.on("unhandledRejection", record);
  process.on("uncaughtException", record);
  return {
    /** Invariant 1 (in process): nothing escaped since the last check. */
    expectNone(what: string) {
      const errors = seen.splice(0);
      expect(errors.map(describeError), `${what}: the server let an error escape (the real process exits on it)`).toEqual([]);
    },
    /** Runs `work`, failing at once if an error escapes meanwhile (a crash must not cost a timeout). */
    async guard<T>(what: string, work: Promise<T>): Promise<T> {
      let off = () => {};
      const crash = new Promise<never>((_resolve, reject) => {
        const subscriber = (error: unknown) => {
          // Reported here, with this case's input: not again by the next case's check.
          seen.splice(seen.indexOf(error), 1);
          reject(new Error(`${what}: the server let an error escape (the real process exits on it): ${describeError(error)}`));
        };
        subscribers.add(subscriber);
        off = () => void subscribers.delete(subscriber);
      });
      try {
        return await Promise.race([work, crash]);
      } finally {
        off();
      }
    },
    stop() {
      process.off("unhandledRejection", record);
      process.off("uncaughtException", record);
    },
  };
}

export type UnhandledErrors = ReturnType<typeof trackUnhandledErrors>;
