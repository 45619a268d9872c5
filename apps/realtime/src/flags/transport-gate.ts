import { ProtocolError, TRANSPORT_NAMES, type ClosingNotice, type TransportName } from "@repo/protocol";
import type { ServiceFlags } from "./service-flags";

/** Where a client on a switched-off transport goes: the next enabled one in this order (the SDK's fallback chain). */
export const FALLBACK_ORDER: readonly TransportName[] = ["websocket", "sse", "long-polling", "polling"];

/**
 * The transports' kill switches (`transport.<name>.enabled`), as the hot path
 * reads them: a set refreshed through the OpenFeature client at start and on
 * every change of definitions, checked synchronously when a poll, stream or
 * socket opens.
 */
export function createTransportGate(flags: ServiceFlags) {
  let disabled = new Set<TransportName>();

  /** The enabled transport a client on `transport` should move to (the next in FALLBACK_ORDER, wrapping). */
  function alternativeTo(transport: TransportName): TransportName | undefined {
    const start = FALLBACK_ORDER.indexOf(transport);
    for (let step = 1; step < FALLBACK_ORDER.length; step++) {
      const candidate = FALLBACK_ORDER[(start + step) % FALLBACK_ORDER.length]!;
      if (!disabled.has(candidate)) return candidate;
    }
    return undefined;
  }

  return {
    /** Re-reads every kill switch; returns the transports that were on and are now off. */
    async refresh(): Promise<TransportName[]> {
      const next = new Set<TransportName>();
      for (const transport of TRANSPORT_NAMES) if (!(await flags.transportEnabled(transport))) next.add(transport);
      const newlyOff = [...next].filter((transport) => !disabled.has(transport));
      disabled = next;
      return newlyOff;
    },
    isEnabled: (transport: TransportName) => !disabled.has(transport),
    alternativeTo,
    /** Throws `transport_disabled`, naming where to go, when `transport` is switched off. */
    check(transport: TransportName): void {
      if (!disabled.has(transport)) return;
      const to = alternativeTo(transport);
      throw new ProtocolError("transport_disabled", `${transport} is switched off${to ? `; use ${to}` : ""}`, to ? { transport: to } : {});
    },
    /** The closing notice for connections on a transport that was just switched off. */
    closingNotice(transport: TransportName): ClosingNotice {
      const to = alternativeTo(transport);
      return { reason: "transport_disabled", message: `${transport} was switched off${to ? `; reconnect on ${to}` : ""}`, ...(to ? { transport: to } : {}) };
    },
  };
}

export type TransportGate = ReturnType<typeof createTransportGate>;
