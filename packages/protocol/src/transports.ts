import { z } from "zod";

/** The four real-time techniques Switchboard ships, by their wire names. */
export const TRANSPORT_NAMES = ["polling", "long-polling", "sse", "websocket"] as const;
export const TransportName = z.enum(TRANSPORT_NAMES);
export type TransportName = z.infer<typeof TransportName>;
