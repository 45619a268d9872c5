import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { LabResults } from "./lab-results";
import { stormChartSpecs } from "./storm-chart";

/**
 * The lab's charts: Vega-Lite specs over the run's JSON, compiled to Vega and
 * rendered to SVG in Node by Vega's own renderer (renderer "none" + toSVG,
 * no DOM, no canvas). No SVG is written by hand here.
 */

export interface Chart {
  /** File name without extension (docs/transports/<name>.svg). */
  name: string;
  title: string;
  svg: string;
}

const WIDTH = 560;
const HEIGHT = 300;
const finite = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const family = (scenario: string) => (scenario.startsWith("bare-") ? "bare baseline" : "Switchboard");

export async function renderChart(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function base(title: string, values: object[]) {
  return { title, width: WIDTH, height: HEIGHT, background: "white", data: { values } };
}

export function chartSpecs(results: LabResults): Array<{ name: string; title: string; spec: TopLevelSpec }> {
  const specs: Array<{ name: string; title: string; spec: TopLevelSpec }> = [];
  const bound = results.options.p99BoundMs;
  const ramp = results.ramp ?? [];
  if (ramp.length > 0) {
    const steps = ramp.flatMap((transport) =>
      transport.steps
        .filter((step) => step.row.ok && finite(step.row.latency.p99) && finite(step.row.deliveriesPerSec) && step.row.deliveriesPerSec > 0)
        .map((step) => ({ transport: transport.scenario, deliveries: step.row.deliveriesPerSec, p99: Math.max(0.01, step.row.latency.p99), pass: step.pass ? "within" : "over" })),
    );
    const title = `Fan-out ramp: p99 latency against deliveries/s (${ramp[0]!.steps[0]?.subscribers ?? "?"} subscribers)`;
    specs.push({
      name: "fanout-ramp",
      title,
      spec: {
        ...base(title, steps),
        layer: [
          {
            mark: { type: "line", point: true },
            encoding: {
              x: { field: "deliveries", type: "quantitative", scale: { type: "log" }, title: "deliveries/s (measured)" },
              y: { field: "p99", type: "quantitative", scale: { type: "log" }, title: "p99 latency (ms)" },
              color: { field: "transport", type: "nominal" },
            },
          },
          { data: { values: [{ bound }] }, mark: { type: "rule", strokeDash: [4, 4] }, encoding: { y: { field: "bound", type: "quantitative" } } },
        ],
      },
    });
    const ceilings = ramp.map((transport) => ({ transport: transport.scenario, family: family(transport.scenario), ceiling: transport.ceilingPerSec ?? 0 }));
    const ceilingTitle = `Fan-out ceiling: highest deliveries/s at p99 ≤ ${bound} ms`;
    specs.push({
      name: "fanout-ceiling",
      title: ceilingTitle,
      spec: {
        ...base(ceilingTitle, ceilings),
        mark: "bar",
        encoding: {
          y: { field: "transport", type: "nominal", sort: "-x", title: null },
          x: { field: "ceiling", type: "quantitative", title: "deliveries/s (0: no step passed)" },
          color: { field: "family", type: "nominal", title: null },
        },
      },
    });
  }
  const idle = (results.idle ?? []).filter((row) => row.idle && row.idle.opened > 0);
  if (idle.length > 0) {
    const values = idle.flatMap((row) => [
      { transport: row.scenario, measure: "JS heap", kib: row.idle!.heapUsedPerConnKiB },
      { transport: row.scenario, measure: "heap + external", kib: row.idle!.totalPerConnKiB },
      { transport: row.scenario, measure: "RSS", kib: row.idle!.rssPerConnKiB },
    ]).filter((value) => finite(value.kib));
    const title = `Server memory per idle connection (${results.options.idleConnections.toLocaleString("en-US")} requested per transport)`;
    specs.push({
      name: "idle-memory",
      title,
      spec: {
        ...base(title, values),
        mark: "bar",
        encoding: {
          x: { field: "transport", type: "nominal", title: null, axis: { labelAngle: -30 } },
          xOffset: { field: "measure", type: "nominal" },
          y: { field: "kib", type: "quantitative", title: "KiB per connection" },
          color: { field: "measure", type: "nominal", title: null },
        },
      },
    });
  }
  const cost = (results.cost ?? []).filter((entry) => entry.row.ok);
  if (cost.length > 0) {
    const line = (name: string, title: string, yTitle: string, pick: (entry: (typeof cost)[number]) => number | undefined, logY: boolean) => {
      const values = cost.map((entry) => ({ transport: entry.scenario, subscribers: entry.subscribers, value: pick(entry) })).filter((value) => finite(value.value) && value.value > 0);
      specs.push({
        name,
        title,
        spec: {
          ...base(title, values),
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "subscribers", type: "quantitative", scale: { type: "log" }, title: "subscribers" },
            y: { field: "value", type: "quantitative", scale: { type: logY ? "log" : "linear" }, title: yTitle },
            color: { field: "transport", type: "nominal" },
          },
        },
      });
    };
    const rate = results.options.costRate;
    line("cost-latency", `p99 latency against subscriber count (${rate} msg/s)`, "p99 latency (ms)", (entry) => entry.row.latency.p99, true);
    line("cost-cpu", `Server CPU per 1,000 deliveries against subscriber count (${rate} msg/s)`, "CPU ms per 1,000 deliveries", (entry) => entry.row.cpuMsPer1k, true);
    line("cost-bytes", `Bytes on the wire per delivery against subscriber count (${rate} msg/s)`, "bytes per delivery (down)", (entry) => entry.row.bytesPerMsg, true);
  }
  specs.push(...stormChartSpecs(results.storm ?? [], { width: WIDTH, height: HEIGHT }));
  return specs;
}

export async function renderCharts(results: LabResults): Promise<Chart[]> {
  const charts: Chart[] = [];
  for (const { name, title, spec } of chartSpecs(results)) charts.push({ name, title, svg: await renderChart(spec) });
  return charts;
}
