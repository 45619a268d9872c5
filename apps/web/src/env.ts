// The only place the web app reads its environment. Imported by client code, so only
// NEXT_PUBLIC_ variables belong here; each must be written out literally
// (`process.env.NEXT_PUBLIC_…`) for Next.js to inline it at build time.
import { z } from "zod";

/** A lab proxy's URL (tooling/nginx lab-proxies.ts: fixed ports, started by `pnpm dev`). */
const labProxyUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: "a lab proxy URL must be an http(s) URL" })
    .default(fallback)
    .transform((url) => url.replace(/\/+$/, ""));

const EnvSchema = z.object({
  /** Base URL of the realtime service (HTTP origin; the WebSocket URL is derived from it). */
  NEXT_PUBLIC_REALTIME_URL: z
    .url({ protocol: /^https?$/, error: "NEXT_PUBLIC_REALTIME_URL must be an http(s) URL" })
    .default("http://localhost:4000")
    .transform((url) => url.replace(/\/+$/, "")),
  /**
   * The /lab pains' nginx proxies in front of the service. Build-time env (not a service
   * endpoint): they are the developer's local rig, not something the service knows about;
   * the defaults are the ports `pnpm dev` starts them on.
   */
  NEXT_PUBLIC_LAB_PROXY_BUFFERED_URL: labProxyUrl("http://localhost:4101"),
  NEXT_PUBLIC_LAB_PROXY_FIXED_URL: labProxyUrl("http://localhost:4102"),
  NEXT_PUBLIC_LAB_PROXY_IDLE_URL: labProxyUrl("http://localhost:4103"),
  /** HTTP/2 over TLS (self-signed): the seven-streams measurement. */
  NEXT_PUBLIC_LAB_PROXY_H2_URL: labProxyUrl("https://localhost:4104"),
});

const parsed = EnvSchema.safeParse({
  NEXT_PUBLIC_REALTIME_URL: process.env.NEXT_PUBLIC_REALTIME_URL || undefined,
  NEXT_PUBLIC_LAB_PROXY_BUFFERED_URL: process.env.NEXT_PUBLIC_LAB_PROXY_BUFFERED_URL || undefined,
  NEXT_PUBLIC_LAB_PROXY_FIXED_URL: process.env.NEXT_PUBLIC_LAB_PROXY_FIXED_URL || undefined,
  NEXT_PUBLIC_LAB_PROXY_IDLE_URL: process.env.NEXT_PUBLIC_LAB_PROXY_IDLE_URL || undefined,
  NEXT_PUBLIC_LAB_PROXY_H2_URL: process.env.NEXT_PUBLIC_LAB_PROXY_H2_URL || undefined,
});

if (!parsed.success) {
  const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
  throw new Error(`Invalid environment for the web app:\n${problems}`);
}

export const env = parsed.data;

/** The realtime service's WebSocket origin (ws: for http:, wss: for https:). */
export const realtimeWebSocketUrl = env.NEXT_PUBLIC_REALTIME_URL.replace(/^http/, "ws");

/** Where the /lab pains' proxies are: the pages may connect to them (next.config.ts connect-src). */
export const labProxyUrls = [
  env.NEXT_PUBLIC_LAB_PROXY_BUFFERED_URL,
  env.NEXT_PUBLIC_LAB_PROXY_FIXED_URL,
  env.NEXT_PUBLIC_LAB_PROXY_IDLE_URL,
  env.NEXT_PUBLIC_LAB_PROXY_H2_URL,
];
