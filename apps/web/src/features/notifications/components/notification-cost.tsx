"use client";

import { TRANSPORT_LABELS, TRANSPORTS } from "@/lib/transport";
import { useClientMetrics, useFeatureClient } from "@/components/realtime-provider";
import { useNotifications } from "./notifications-provider";

const countFormat = new Intl.NumberFormat("en");
const bytesFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${bytesFormat.format(bytes / 1024)} kB`;
}

/**
 * What notifications cost on the transport in use, where a newcomer sees it: the events this tab
 * received on its two notify topics (and their size), by transport, next to the connection's
 * counters. The SDK counts requests and bytes per connection, not per topic (one poll, stream or
 * socket carries every topic the tab follows), so those are the whole tab's.
 */
export function NotificationCost() {
  const client = useFeatureClient("notifications");
  const metrics = useClientMetrics(client);
  const { traffic } = useNotifications();
  const current = metrics.transport;
  const label = (name: string) => (name in TRANSPORT_LABELS ? TRANSPORT_LABELS[name as keyof typeof TRANSPORT_LABELS] : name);
  const here = traffic[current] ?? { events: 0, bytes: 0 };

  return (
    <section aria-labelledby="notification-cost-heading" className="space-y-3 rounded-lg border border-neutral-200 p-4 text-sm dark:border-neutral-800">
      <h2 id="notification-cost-heading" className="font-semibold">
        What notifications cost on {label(current)}
      </h2>
      <p data-testid="notification-cost" className="tabular-nums">
        {countFormat.format(here.events)} notification {here.events === 1 ? "event" : "events"} ({formatBytes(here.bytes)} of JSON)
        received on {label(current)} since this tab opened; the whole connection: {countFormat.format(metrics.requests)} requests,{" "}
        {formatBytes(metrics.bytesReceived)} received, {countFormat.format(metrics.events)} events.
      </p>
      <table className="w-full max-w-md text-left tabular-nums">
        <caption className="sr-only">Notification events by transport</caption>
        <thead className="text-neutral-600 dark:text-neutral-400">
          <tr>
            <th scope="col" className="font-medium">Transport</th>
            <th scope="col" className="font-medium">Events</th>
            <th scope="col" className="font-medium">JSON</th>
          </tr>
        </thead>
        <tbody>
          {TRANSPORTS.map((transport) => (
            <tr key={transport} aria-current={transport === current ? "true" : undefined} className="aria-[current=true]:font-medium">
              <th scope="row" className="font-normal">{TRANSPORT_LABELS[transport]}</th>
              <td>{countFormat.format(traffic[transport]?.events ?? 0)}</td>
              <td>{formatBytes(traffic[transport]?.bytes ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="text-neutral-600 dark:text-neutral-400">
        Requests and bytes are counted per connection, not per topic: one poll, stream or socket carries every topic
        this tab follows (the chat&apos;s too). Short polling asks every second even when nothing happens; long polling
        holds each request until an event; SSE and WebSocket keep one connection open. Switch the transport in the bar
        above and watch the counters.
      </p>
    </section>
  );
}
