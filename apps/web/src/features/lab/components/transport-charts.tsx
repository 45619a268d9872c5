"use client";

// One transport's four live charts (uPlot): latency over time, the latency histogram, wire
// bytes/s with requests/s, and the share of empty answers with the reconnects so far.
import { useMemo } from "react";
import uPlot from "uplot";
import { HISTOGRAM_LABELS, type TransportRecorder } from "../state/transport-recorder";
import { UplotChart } from "./uplot-chart";

const AXIS = { stroke: "#737373", grid: { stroke: "rgba(115,115,115,0.15)" }, ticks: { stroke: "rgba(115,115,115,0.3)" } };

function latencyOptions(color: string): Omit<uPlot.Options, "width" | "height"> {
  return {
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(10, max)] } },
    axes: [{ ...AXIS }, { ...AXIS, label: "ms", size: 50 }],
    series: [{}, { label: "latency", stroke: color, width: 1, points: { show: false } }],
  };
}

function histogramOptions(color: string): Omit<uPlot.Options, "width" | "height"> {
  return {
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false, range: [-0.5, HISTOGRAM_LABELS.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [
      { ...AXIS, splits: () => HISTOGRAM_LABELS.map((_, i) => i), values: (_u, splits) => splits.map((i) => (i % 2 === 0 ? (HISTOGRAM_LABELS[i] ?? "") : "")) },
      { ...AXIS, label: "messages", size: 50 },
    ],
    series: [{}, { label: "messages", fill: color, stroke: color, paths: uPlot.paths.bars!({ size: [0.8] }), points: { show: false } }],
  };
}

function trafficOptions(color: string): Omit<uPlot.Options, "width" | "height"> {
  return {
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: true }, bytes: { range: (_u, _min, max) => [0, Math.max(100, max)] }, requests: { range: (_u, _min, max) => [0, Math.max(2, max)] } },
    axes: [{ ...AXIS }, { ...AXIS, scale: "bytes", label: "bytes/s", size: 60 }, { ...AXIS, scale: "requests", side: 1, label: "req/s", size: 40, grid: { show: false } }],
    series: [
      {},
      { label: "bytes/s", scale: "bytes", stroke: color, width: 1.5, points: { show: false } },
      { label: "requests/s", scale: "requests", stroke: "#a3a3a3", width: 1, dash: [4, 3], points: { show: false } },
    ],
  };
}

function emptyOptions(color: string): Omit<uPlot.Options, "width" | "height"> {
  return {
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: true }, share: { range: [0, 100] }, reconnects: { range: (_u, _min, max) => [0, Math.max(2, max)] } },
    axes: [{ ...AXIS }, { ...AXIS, scale: "share", label: "% empty", size: 50 }, { ...AXIS, scale: "reconnects", side: 1, label: "reconnects", size: 40, grid: { show: false } }],
    series: [
      {},
      { label: "empty answers %", scale: "share", stroke: color, width: 1.5, points: { show: false } },
      { label: "reconnects", scale: "reconnects", stroke: "#ef4444", width: 1, points: { show: false } },
    ],
  };
}

export function TransportCharts({ label, color, recorder, tick }: { label: string; color: string; recorder: TransportRecorder; tick: number }) {
  const options = useMemo(
    () => ({ latency: latencyOptions(color), histogram: histogramOptions(color), traffic: trafficOptions(color), empty: emptyOptions(color) }),
    [color],
  );
  // Fresh arrays per redraw (a few times a second): uPlot reads them in setData.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `tick` is the redraw clock; the recorder mutates in place
  const data = useMemo(() => chartData(recorder), [recorder, tick]);
  return (
    <div className="grid grid-cols-1 gap-1 text-xs text-neutral-600 dark:text-neutral-400">
      <p>Latency of each message (ms)</p>
      <UplotChart label={`${label}: latency over time`} options={options.latency} data={data.latency} />
      <p>Latency histogram (messages per bucket, ms)</p>
      <UplotChart label={`${label}: latency histogram`} options={options.histogram} data={data.histogram} height={110} />
      <p>Wire bytes/s (solid) and HTTP requests/s (dashed)</p>
      <UplotChart label={`${label}: bytes and requests per second`} options={options.traffic} data={data.traffic} />
      <p>Empty answers, % of polls (solid), and reconnects so far (red)</p>
      <UplotChart label={`${label}: share of empty answers and reconnects`} options={options.empty} data={data.empty} height={120} />
    </div>
  );
}

function chartData(recorder: TransportRecorder) {
  const seconds = recorder.seconds;
  const t = seconds.map((second) => second.t);
  return {
    latency: [recorder.latencyT.slice(), recorder.latencyMs.slice()] as uPlot.AlignedData,
    histogram: [HISTOGRAM_LABELS.map((_, i) => i), recorder.histogram.slice()] as uPlot.AlignedData,
    traffic: [t, seconds.map((second) => second.wireBytes), seconds.map((second) => second.requests)] as uPlot.AlignedData,
    empty: [t, seconds.map((second) => (second.emptyShare === null ? null : Math.round(second.emptyShare * 100))), seconds.map((second) => second.reconnects)] as uPlot.AlignedData,
  };
}
