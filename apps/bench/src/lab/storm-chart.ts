import type { TopLevelSpec } from "vega-lite";
import type { StormRow } from "./storm";

export const stormBackoff = (row: StormRow) => (row.jitter ? "full jitter" : "no jitter");

/** Per transport: the requests reaching the restarted service per 100 ms, with and without jitter (Vega-Lite, rendered by charts.ts). */
export function stormChartSpecs(rows: StormRow[], size: { width: number; height: number }): Array<{ name: string; title: string; spec: TopLevelSpec }> {
  const transports = [...new Set(rows.filter((row) => row.ok).map((row) => row.transport))];
  return transports.map((transport) => {
    const pair = rows.filter((row) => row.ok && row.transport === transport);
    const buckets = Math.max(...pair.map((row) => row.requests.length));
    // Every bucket of both series, zeros included, on one time axis: a quiet stretch is part of the curve.
    const values = pair.flatMap((row) =>
      Array.from({ length: buckets }, (_, i) => ({ backoff: stormBackoff(row), ms: i * row.bucketMs, requests: row.requests[i] ?? 0 })),
    );
    const clients = pair[0]!.clients.toLocaleString("en-US");
    const title = `Reconnect storm (${transport}, ${clients} clients): requests reaching the restarted service per ${pair[0]!.bucketMs} ms`;
    return {
      name: `reconnect-storm-${transport}`,
      title,
      spec: {
        title,
        width: size.width,
        height: size.height,
        background: "white",
        data: { values },
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: { field: "ms", type: "quantitative", title: "ms since the new process listened" },
          y: { field: "requests", type: "quantitative", title: `requests per ${pair[0]!.bucketMs} ms (upgrades included)` },
          color: { field: "backoff", type: "nominal", title: "SDK backoff" },
        },
      },
    };
  });
}
