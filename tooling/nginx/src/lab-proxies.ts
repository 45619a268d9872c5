import { nginxAvailable, startNginx, type RunningNginx } from "./nginx";
import type { NginxConfigName } from "./nginx-config";

/**
 * The /lab pains' proxies, each a real nginx on a fixed local port in front of the same service.
 * The web app finds them at these ports (apps/web env.ts: NEXT_PUBLIC_LAB_PROXY_*_URL defaults).
 * The browser's Origin passes through unchanged and cookies are per host, not per port, so the
 * service's origin check and session cookie work through them as they do directly.
 */
export const LAB_PROXIES = [
  { name: "buffered", config: "sse-buffered", port: 4101 },
  { name: "fixed", config: "plain", port: 4102 },
  { name: "idle", config: "idle-timeout", port: 4103 },
  { name: "h2", config: "h2-tls", port: 4104 },
] as const satisfies ReadonlyArray<{ name: string; config: NginxConfigName; port: number }>;

export type LabProxyName = (typeof LAB_PROXIES)[number]["name"];

export interface RunningLabProxies {
  proxies: Record<LabProxyName, RunningNginx>;
  stop(): Promise<void>;
}

/** Starts every lab proxy in front of `upstream`; stops those already started when one fails. */
export async function startLabProxies(upstream: string, binary?: string): Promise<RunningLabProxies> {
  if (!nginxAvailable(binary)) throw new Error("no nginx at /usr/sbin/nginx (bash scripts/ensure-nginx.sh)");
  const started: Array<[LabProxyName, RunningNginx]> = [];
  const stop = () => Promise.all(started.map(([, proxy]) => proxy.stop())).then(() => undefined);
  try {
    for (const { name, config, port } of LAB_PROXIES) started.push([name, await startNginx({ upstream, config, port, binary, ipv6Loopback: true })]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { proxies: Object.fromEntries(started) as Record<LabProxyName, RunningNginx>, stop };
}
