// The only place the web app reads its environment. Imported by client code, so only
// NEXT_PUBLIC_ variables belong here; each must be written out literally
// (`process.env.NEXT_PUBLIC_…`) for Next.js to inline it at build time.
import { z } from "zod";

const EnvSchema = z.object({
  /** Base URL of the realtime service (HTTP origin; the WebSocket URL is derived from it). */
  NEXT_PUBLIC_REALTIME_URL: z
    .url({ protocol: /^https?$/, error: "NEXT_PUBLIC_REALTIME_URL must be an http(s) URL" })
    .default("http://localhost:4000")
    .transform((url) => url.replace(/\/+$/, "")),
});

const parsed = EnvSchema.safeParse({
  NEXT_PUBLIC_REALTIME_URL: process.env.NEXT_PUBLIC_REALTIME_URL || undefined,
});

if (!parsed.success) {
  const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
  throw new Error(`Invalid environment for the web app:\n${problems}`);
}

export const env = parsed.data;

/** The realtime service's WebSocket origin (ws: for http:, wss: for https:). */
export const realtimeWebSocketUrl = env.NEXT_PUBLIC_REALTIME_URL.replace(/^http/, "ws");
