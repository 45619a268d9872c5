import { HTTP_PATHS, TransportName, transportReportsPaths, type FallbackReason, type TransportReport } from "@repo/protocol";
import { ConnectionError } from "./errors";
import { memoryFallbackMemory, type FallbackMemory } from "./fallback-memory";
import { httpRequest, type HttpContext } from "./http";
import type { TransportFactory, TransportHost, TransportSettings } from "./transport";

export interface FallbackOptions {
  /** The order to fall back in. Default websocket → sse → long-polling → polling. */
  chain?: readonly string[];
  /** Where what worked is remembered (per browser: `browserFallbackMemory()`). Default: in this client only. */
  memory?: FallbackMemory;
  /** Consecutive failures to open, each while the service answered plain HTTP, before moving on. Default 2. */
  failuresBeforeFallback?: number;
  /** A transport that has not opened (first server frame, socket subscribed, first answer) by then failed to open. Default 10000. */
  openTimeoutMs?: number;
  /** On a fallback, try the wanted transport again after this long (doubling after each failed try, up to an hour). Default 180000. */
  upgradeAfterMs?: number;
}

export const DEFAULT_FALLBACK_CHAIN: readonly TransportName[] = ["websocket", "sse", "long-polling", "polling"];
const DEFAULT_FAILURES_BEFORE_FALLBACK = 2;
const DEFAULT_OPEN_TIMEOUT_MS = 10_000;
const DEFAULT_UPGRADE_AFTER_MS = 180_000;
const MAX_UPGRADE_DELAY_MS = 60 * 60_000;

/** Why the client moved to another transport on its own (the `moved` event). */
export type MoveReason = "transport_disabled" | "fallback" | "upgrade";

/** The transport opened nothing within `openTimeoutMs` (e.g. an SSE stream a proxy buffers). */
export class OpenTimeoutError extends ConnectionError {
  constructor(transport: string, ms: number) {
    super("timeout", `${transport} did not open within ${ms} ms`);
  }
}

/** Failures that may mean "blocked on the way": no answer at all. Typed refusals come from the service itself. */
export function isOpenFailure(error: unknown): boolean {
  return error instanceof ConnectionError && error.code !== "closed";
}

/** What the SDK client gives the chain: the service, and whether it has a transport by that name. */
export interface FallbackDeps {
  http: HttpContext;
  known(name: string): boolean;
}

/**
 * The fallback policy of one client: which transport comes next after one
 * that will not open, whether a failure to open means "blocked" (only while
 * the service answers plain HTTP; a service that is down never demotes a
 * client), what this browser remembers, and when to try the wanted transport
 * again. The connection owns the timers and the switching; this owns the decisions.
 */
export class FallbackChain {
  readonly openTimeoutMs: number;
  private readonly chain: readonly string[];
  private readonly memory: FallbackMemory;
  private readonly failuresBeforeFallback: number;
  private readonly upgradeAfterMs: number;
  /** Consecutive failures to open while the service answered HTTP. */
  private evidence = 0;
  private upgradeDelayMs: number;

  constructor(
    options: FallbackOptions,
    private readonly deps: FallbackDeps,
  ) {
    this.chain = options.chain ?? DEFAULT_FALLBACK_CHAIN;
    this.memory = options.memory ?? memoryFallbackMemory();
    this.failuresBeforeFallback = Math.max(1, options.failuresBeforeFallback ?? DEFAULT_FAILURES_BEFORE_FALLBACK);
    this.openTimeoutMs = Math.max(1, options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS);
    this.upgradeAfterMs = Math.max(1, options.upgradeAfterMs ?? DEFAULT_UPGRADE_AFTER_MS);
    this.upgradeDelayMs = this.upgradeAfterMs;
  }

  private get service(): string {
    return this.deps.http.baseUrl;
  }

  /** The app wants `wanted` (at start or by switchTransport): where to start, and whether that is a remembered fallback. */
  want(wanted: string): { transport: string; remembered: boolean } {
    this.evidence = 0;
    this.upgradeDelayMs = this.upgradeAfterMs;
    const record = this.memory.recall(this.service, wanted);
    if (record && record.worked !== wanted && this.candidates(wanted).includes(record.worked)) return { transport: record.worked, remembered: true };
    return { transport: wanted, remembered: false };
  }

  /** The candidate after `current` when `wanted` is wanted: the chain's entries after `wanted`, in order. */
  next(wanted: string, current: string): string | undefined {
    const candidates = this.candidates(wanted);
    const at = candidates.indexOf(current);
    return at < 0 ? undefined : candidates[at + 1];
  }

  private candidates(wanted: string): string[] {
    const at = this.chain.indexOf(wanted);
    const after = at < 0 ? this.chain : this.chain.slice(at + 1);
    return [wanted, ...after.filter((name) => name !== wanted && this.deps.known(name))];
  }

  /**
   * The current transport failed to open. Blocked only if the service answers
   * plain HTTP now, and then after `failuresBeforeFallback` such failures in a
   * row (one open timeout is enough: it already waited). A failed health check
   * resets the count: the service was down, not the transport blocked.
   */
  async judge(reason: Exclude<FallbackReason, "remembered">): Promise<"blocked" | "retry"> {
    if (!(await this.serviceAnswers())) {
      this.evidence = 0;
      return "retry";
    }
    this.evidence++;
    if (reason === "open_timeout" || this.evidence >= this.failuresBeforeFallback) {
      this.evidence = 0;
      return "blocked";
    }
    return "retry";
  }

  /** `current` opened while `wanted` is wanted: remember what worked (or that the wanted one works again). */
  opened(wanted: string, current: string): void {
    this.evidence = 0;
    if (current === wanted) this.memory.forget(this.service, wanted);
    else this.memory.remember(this.service, wanted, current);
  }

  /** Ms until the next upgrade try. */
  get upgradeDelay(): number {
    return this.upgradeDelayMs;
  }

  upgradeFailed(): void {
    this.upgradeDelayMs = Math.min(MAX_UPGRADE_DELAY_MS, this.upgradeDelayMs * 2);
  }

  upgraded(wanted: string): void {
    this.upgradeDelayMs = this.upgradeAfterMs;
    this.memory.forget(this.service, wanted);
  }

  /** Tells the service (for `/metrics`); best effort, never fails the client. Custom transports are not reported. */
  report(kind: TransportReport["kind"], from: string, to: string, reason?: FallbackReason): void {
    const fromName = TransportName.safeParse(from);
    const toName = TransportName.safeParse(to);
    if (!fromName.success || !toName.success) return;
    const report: TransportReport = { kind, from: fromName.data, to: toName.data, ...(reason ? { reason } : {}) };
    httpRequest(this.deps.http, transportReportsPaths.reports, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(report),
    }).catch(() => {
      // Metrics only: a lost report changes nothing for the client.
    });
  }

  private async serviceAnswers(): Promise<boolean> {
    try {
      const answer = await httpRequest(this.deps.http, HTTP_PATHS.health, { timeoutMs: Math.min(this.deps.http.requestTimeoutMs, this.openTimeoutMs) });
      return answer.status === 200;
    } catch {
      return false;
    }
  }
}

/**
 * Opens `factory`'s transport on the side, from the client's cursors, only to
 * learn whether it opens within `timeoutMs`; whatever it receives is dropped
 * (the live transport delivers meanwhile). Calls `done` once; returns the stop.
 */
export function probeTransport(
  factory: TransportFactory,
  settings: TransportSettings,
  base: Pick<TransportHost, "cursors" | "baseUrl" | "fetch" | "token" | "requestTimeoutMs" | "version" | "count">,
  timeoutMs: number,
  done: (opened: boolean) => void,
): () => void {
  let finished = false;
  const finish = (opened: boolean) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    transport.close();
    done(opened);
  };
  const ignore = () => {};
  const host: TransportHost = {
    baseUrl: base.baseUrl,
    fetch: base.fetch,
    token: base.token,
    requestTimeoutMs: base.requestTimeoutMs,
    version: base.version,
    count: (counter, amount) => base.count(counter, amount),
    cursors: () => base.cursors(),
    event: ignore,
    reset: ignore,
    signal: ignore,
    signalsSince: () => 0,
    signalsSeen: ignore,
    positions: ignore,
    opened: () => finish(true),
    refused: () => finish(false),
    closing: () => finish(false),
    failed: () => finish(false),
  };
  const timer = setTimeout(() => finish(false), timeoutMs);
  const transport = factory(host, settings);
  transport.open();
  return () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    transport.close();
  };
}
