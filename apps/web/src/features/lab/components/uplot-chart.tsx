"use client";

// A uPlot chart as a React component: made in an effect and destroyed in its cleanup
// (StrictMode's double mount is safe), fed with setData when `data` changes (the page
// redraws a few times a second, never per message), resized with its box.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface UplotChartProps {
  /** Accessible name of the chart (canvas has no text of its own). */
  label: string;
  options: Omit<uPlot.Options, "width" | "height">;
  data: uPlot.AlignedData;
  height?: number;
}

export function UplotChart({ label, options, data, height = 140 }: UplotChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const made = new uPlot({ ...options, width: Math.max(200, element.clientWidth), height }, data, element);
    chart.current = made;
    const resize = new ResizeObserver(() => made.setSize({ width: Math.max(200, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      made.destroy();
      chart.current = null;
    };
    // The options are fixed per chart; a new set would need a new chart (a new key).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [height]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return <div ref={box} role="img" aria-label={label} className="w-full min-w-0" />;
}
