"use client";

import type { WireEvent } from "@repo/client";
import type { WireRow } from "../state/transport-recorder";

function describe(event: WireEvent): { what: string; size: string } {
  switch (event.kind) {
    case "http":
      return {
        what: `${event.method} ${event.path} → ${event.status === 0 ? (event.error ?? "no answer") : event.status} (${event.durationMs} ms)`,
        size: `req ${event.requestHeaderBytes}+${event.requestBodyBytes} B · res ${event.responseHeaderBytes}+${event.responseBodyBytes} B`,
      };
    case "sse":
      return { what: `SSE ${event.event}${event.id ? ` id ${event.id}` : ""}`, size: `${event.dataBytes} B` };
    case "socket":
      return { what: `${event.direction === "in" ? "in" : "out"} ${event.type}${event.packet ? ` ${event.packet}` : ""}`, size: `${event.bytes} B` };
  }
}

function clock(at: number): string {
  const date = new Date(at);
  return `${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

/** The last wire events of one transport, newest first (header and body sizes as the SDK sees them). */
export function WireInspector({ label, rows }: { label: string; rows: readonly WireRow[] }) {
  return (
    <div className="max-h-56 overflow-y-auto rounded-md border border-neutral-200 dark:border-neutral-800">
      <table aria-label={`${label} wire inspector`} className="w-full text-left font-mono text-[11px]">
        <thead className="sticky top-0 bg-neutral-50 dark:bg-neutral-900">
          <tr>
            <th scope="col" className="px-2 py-1 font-medium">Time</th>
            <th scope="col" className="px-2 py-1 font-medium">Request / frame</th>
            <th scope="col" className="px-2 py-1 font-medium">Size</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={3} className="px-2 py-2 text-neutral-500">Nothing on the wire yet.</td>
            </tr>
          ) : (
            [...rows].reverse().map(({ n, event }) => {
              const { what, size } = describe(event);
              return (
                <tr key={n} data-testid="wire-row" className="border-t border-neutral-100 dark:border-neutral-900">
                  <td className="px-2 py-0.5 whitespace-nowrap text-neutral-500">{clock(event.at)}</td>
                  <td className="px-2 py-0.5">{what}</td>
                  <td className="px-2 py-0.5 whitespace-nowrap">{size}</td>
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}
