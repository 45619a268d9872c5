/** What a client learned about one wanted transport: it was blocked, and `worked` opened instead, at `at` (ms since epoch). */
export interface FallbackRecord {
  worked: string;
  at: number;
}

/**
 * Where a client keeps what it learned about blocked transports, so the next
 * client (the next page load) starts on what worked without a slow first
 * failure, as Phoenix and socket.io do. Records expire; a broken store reads
 * as empty and never throws into the client.
 */
export interface FallbackMemory {
  /** The live record for `wanted` at this service, if any (expired ones read as absent). */
  recall(service: string, wanted: string): FallbackRecord | undefined;
  /** `wanted` was blocked and `worked` opened. */
  remember(service: string, wanted: string, worked: string): void;
  /** `wanted` works again (an upgrade succeeded): forget it was blocked. */
  forget(service: string, wanted: string): void;
}

export interface FallbackMemoryOptions {
  /** How long a record holds. Default 24 h. */
  ttlMs?: number;
  /** Clock (tests). Default Date.now. */
  now?: () => number;
}

/** The storage a browser memory writes to: the part of `Storage` it uses. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Bounds what a corrupted or hostile store can make the client parse and keep. */
const MAX_RECORDS = 32;
const MAX_STORED_CHARS = 8_192;

type Records = Record<string, FallbackRecord>;

function keyOf(service: string, wanted: string): string {
  return `${service} ${wanted}`;
}

/** Only well-formed, unexpired records survive a read; anything else reads as absent. */
function liveRecords(raw: unknown, now: number, ttlMs: number): Records {
  const records: Records = {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return records;
  for (const [key, value] of Object.entries(raw).slice(0, MAX_RECORDS)) {
    if (typeof value !== "object" || value === null) continue;
    const worked: unknown = Reflect.get(value, "worked");
    const at: unknown = Reflect.get(value, "at");
    if (typeof worked !== "string" || typeof at !== "number" || !Number.isFinite(at)) continue;
    if (at > now || now - at >= ttlMs) continue;
    records[key] = { worked, at };
  }
  return records;
}

/** A memory over a read and a write of the whole record set (the two stores below differ only there). */
function recordMemory(load: () => unknown, save: (records: Records) => void, options: FallbackMemoryOptions): FallbackMemory {
  const ttlMs = options.ttlMs ?? DAY_MS;
  const now = options.now ?? Date.now;
  const read = () => liveRecords(load(), now(), ttlMs);
  return {
    recall(service, wanted) {
      return read()[keyOf(service, wanted)];
    },
    remember(service, wanted, worked) {
      const records = read();
      records[keyOf(service, wanted)] = { worked, at: now() };
      // The newest records win when there are too many.
      const kept = Object.entries(records).sort((a, b) => b[1].at - a[1].at).slice(0, MAX_RECORDS);
      save(Object.fromEntries(kept));
    },
    forget(service, wanted) {
      const records = read();
      if (!(keyOf(service, wanted) in records)) return;
      delete records[keyOf(service, wanted)];
      save(records);
    },
  };
}

/** In process only (Node, tests, or a page that must not persist anything). */
export function memoryFallbackMemory(options: FallbackMemoryOptions = {}): FallbackMemory {
  let stored: Records = {};
  return recordMemory(
    () => stored,
    (records) => {
      stored = records;
    },
    options,
  );
}

function isStorage(value: unknown): value is StorageLike {
  return (
    typeof value === "object" &&
    value !== null &&
    "getItem" in value &&
    typeof value.getItem === "function" &&
    "setItem" in value &&
    typeof value.setItem === "function" &&
    "removeItem" in value &&
    typeof value.removeItem === "function"
  );
}

/** The browser's localStorage when it is there (private modes and sandboxed frames may throw on access). */
function browserStorage(): StorageLike | undefined {
  try {
    const storage: unknown = Reflect.get(globalThis, "localStorage");
    return isStorage(storage) ? storage : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Per browser, over localStorage (key `switchboard.fallback`). No
 * localStorage, a full quota, or garbage under the key: it behaves as an
 * empty memory (and a write that fails is dropped).
 */
export function browserFallbackMemory(options: FallbackMemoryOptions & { key?: string; storage?: StorageLike } = {}): FallbackMemory {
  const key = options.key ?? "switchboard.fallback";
  const storage = options.storage ?? browserStorage();
  return recordMemory(
    () => {
      try {
        const text = storage?.getItem(key);
        if (typeof text !== "string" || text.length > MAX_STORED_CHARS) return undefined;
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    },
    (records) => {
      try {
        if (Object.keys(records).length === 0) storage?.removeItem(key);
        else storage?.setItem(key, JSON.stringify(records));
      } catch {
        // Quota exceeded or storage gone: the next page starts cold, nothing worse.
      }
    },
    options,
  );
}
