// Which transport the tab uses: read from the `?transport=` URL parameter (so a link or a
// reload keeps the choice), WebSocket by default.
import { TRANSPORT_NAMES, TransportName } from "@repo/protocol";

export const DEFAULT_TRANSPORT: TransportName = "websocket";

export const TRANSPORTS: readonly TransportName[] = TRANSPORT_NAMES;

export const TRANSPORT_LABELS: Record<TransportName, string> = {
  polling: "Short polling",
  "long-polling": "Long polling",
  sse: "SSE",
  websocket: "WebSocket",
};

/** The URL parameter's value as a transport name, or null when absent or unknown. */
export function transportFromParam(value: string | null | undefined): TransportName | null {
  const parsed = TransportName.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** `path?…` with `key` set to `value` (or removed when null), other parameters kept. */
export function hrefWith(pathname: string, params: URLSearchParams | string, key: string, value: string | null): string {
  const next = new URLSearchParams(params);
  if (value === null) next.delete(key);
  else next.set(key, value);
  const query = next.toString();
  return query ? `${pathname}?${query}` : pathname;
}
