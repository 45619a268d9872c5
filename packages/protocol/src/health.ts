import { z } from "zod";

export const HealthResponse = z.object({ status: z.literal("ok"), version: z.number().int(), uptime: z.number() });
export type HealthResponse = z.infer<typeof HealthResponse>;

export const ReadyResponse = z.object({
  status: z.enum(["ready", "unavailable"]),
  database: z.enum(["ok", "down"]),
  /** The shared event store, when the service runs on one (REDIS_URL); absent on the in-process hub. */
  redis: z.enum(["ok", "down"]).optional(),
});
export type ReadyResponse = z.infer<typeof ReadyResponse>;
