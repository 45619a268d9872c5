import type { ClientMetrics, WireEvent } from "@repo/client";
import { describe, expect, it } from "vitest";
import { HISTOGRAM_LABELS, INSPECTOR_ROWS, MAX_LATENCY_POINTS, TransportRecorder, WINDOW_SECONDS, wireBytesOf } from "../src/features/lab/state/transport-recorder";

const metrics = (over: Partial<ClientMetrics>): ClientMetrics => ({
  transport: "polling",
  status: "open",
  requests: 0,
  commands: 0,
  bytesReceived: 0,
  events: 0,
  duplicates: 0,
  signals: 0,
  emptyPolls: 0,
  reconnects: 0,
  resets: 0,
  fallbacks: 0,
  upgrades: 0,
  latency: { samples: 0, p50: 0, p95: 0, p99: 0, max: 0 },
  ...over,
});

const poll: WireEvent = {
  kind: "http",
  at: 0,
  method: "GET",
  path: "/v1/poll",
  status: 304,
  requestHeaderBytes: 150,
  requestBodyBytes: 0,
  responseHeaderBytes: 120,
  responseBodyBytes: 0,
  durationMs: 3,
};

describe("the lab's per-transport recorder", () => {
  it("measures latency from the service's send time, buckets it, and counts gaps in the sequence", () => {
    const recorder = new TransportRecorder();
    recorder.message({ streamId: "AAAAAAAAAAAA", seq: 1, sentAt: 1000, data: "" }, 1004);
    recorder.message({ streamId: "AAAAAAAAAAAA", seq: 4, sentAt: 1100, data: "" }, 1400);
    expect(recorder.messages).toBe(2);
    expect(recorder.gaps).toBe(2);
    expect(recorder.latencyMs).toEqual([4, 300]);
    expect(recorder.histogram[HISTOGRAM_LABELS.indexOf("≤5")]).toBe(1);
    expect(recorder.histogram[HISTOGRAM_LABELS.indexOf("≤500")]).toBe(1);
    expect(recorder.percentile(0.5)).toBe(4);
    expect(recorder.percentile(0.99)).toBe(300);
  });

  it("turns the SDK's counters into per-second samples: traffic, empty share, reconnects", () => {
    const recorder = new TransportRecorder();
    recorder.sample(metrics({ requests: 10, emptyPolls: 2 }), 1_000);
    recorder.wireEvent(poll);
    recorder.wireEvent(poll);
    recorder.sample(metrics({ requests: 14, emptyPolls: 5, reconnects: 1 }), 2_000);
    expect(recorder.seconds.at(-1)).toEqual({ t: 2, wireBytes: 2 * wireBytesOf(poll), requests: 2, emptyShare: 0.75, reconnects: 1 });
    expect(recorder.emptyShare()).toBe(0.75);
  });

  it("keeps every buffer bounded", () => {
    const recorder = new TransportRecorder();
    for (let i = 1; i <= 10_000; i++) recorder.message({ streamId: "AAAAAAAAAAAA", seq: i, sentAt: i, data: "" }, i + 1);
    for (let i = 0; i < 500; i++) recorder.wireEvent(poll);
    for (let i = 0; i < 500; i++) recorder.sample(metrics({}), i * 1000);
    expect(recorder.latencyMs.length).toBeLessThanOrEqual(MAX_LATENCY_POINTS + 1000);
    expect(recorder.latencyMs.at(-1)).toBe(1);
    expect(recorder.latencyT.length).toBe(recorder.latencyMs.length);
    expect(recorder.wire).toHaveLength(INSPECTOR_ROWS);
    expect(recorder.wire.at(-1)!.n).toBe(500);
    expect(recorder.seconds).toHaveLength(WINDOW_SECONDS);
  });
});
