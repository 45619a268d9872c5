import { ConnectionError } from "./errors";

/** Callers of `whenOpen()` waiting for the status to become `open`. */
export class OpenWaiters {
  private readonly waiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();

  /** Resolves at the next `resolveAll`, rejects at `rejectAll` or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(error);
        },
      };
      const timer = setTimeout(() => waiter.reject(new ConnectionError("timeout", "Not connected in time")), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  resolveAll(): void {
    for (const waiter of [...this.waiters]) waiter.resolve();
  }

  rejectAll(error: Error): void {
    for (const waiter of [...this.waiters]) waiter.reject(error);
  }
}
