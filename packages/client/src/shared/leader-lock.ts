/**
 * The one lock the tabs of a shared client compete for: the holder leads. The shape is the part
 * of the Web Locks API used here, so `navigator.locks` fits as is; `memoryLocks()` is the same
 * contract within one JavaScript realm (Node, tests), where Web Locks do not exist.
 */
export interface LockManagerLike {
  request(name: string, options: { mode: "exclusive"; signal?: AbortSignal }, callback: () => Promise<unknown>): Promise<unknown>;
}

/** The browser's Web Locks, or null where there are none (Node 20, very old browsers). */
export function browserLocks(): LockManagerLike | null {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return locks ?? null;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException("The lock request was aborted", "AbortError");
}

interface Waiter {
  callback: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
}

/**
 * Exclusive locks for the contexts of one realm: granted in request order, held until the
 * callback's promise settles, a queued request withdrawn by its AbortSignal — what Web Locks
 * do across the tabs of an origin.
 */
export function memoryLocks(): LockManagerLike {
  const queues = new Map<string, Waiter[]>();
  const held = new Set<string>();

  function grantNext(name: string): void {
    if (held.has(name)) return;
    const queue = queues.get(name);
    const waiter = queue?.shift();
    if (!waiter) {
      queues.delete(name);
      return;
    }
    held.add(name);
    void (async () => {
      try {
        waiter.resolve(await waiter.callback());
      } catch (error) {
        waiter.reject(error);
      } finally {
        held.delete(name);
        grantNext(name);
      }
    })();
  }

  return {
    request(name, options, callback) {
      return new Promise((resolve, reject) => {
        const { signal } = options;
        if (signal?.aborted) return reject(abortError(signal));
        const waiter: Waiter = { callback, resolve, reject, signal };
        signal?.addEventListener("abort", () => {
          const queue = queues.get(name);
          const at = queue?.indexOf(waiter) ?? -1;
          // Only a request still waiting can be withdrawn; a granted one ends with its callback.
          if (at >= 0) {
            queue!.splice(at, 1);
            reject(abortError(signal));
          }
        });
        queues.set(name, [...(queues.get(name) ?? []), waiter]);
        grantNext(name);
      });
    },
  };
}
