import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { env, labProxyUrls, realtimeWebSocketUrl } from "./src/env";

/**
 * Content-Security-Policy for every page. Computed at build time from
 * NEXT_PUBLIC_REALTIME_URL (the same value the client bundle inlines), so the build
 * must see the production realtime URL.
 *
 * - connect-src: this origin plus the realtime service over HTTP(S) and WS(S), and the /lab
 *   pains' local nginx proxies (NEXT_PUBLIC_LAB_PROXY_*).
 * - script-src needs 'unsafe-inline' because the App Router streams its payload in inline
 *   <script> tags; a nonce (via proxy.ts) would remove it at the cost of rendering every page
 *   dynamically. 'unsafe-eval' only in `next dev` (React's dev tooling needs it).
 * - Nothing may frame the app, post forms elsewhere, load plugins or rebase URLs.
 */
function contentSecurityPolicy(dev: boolean): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'", ...(dev ? ["'unsafe-eval'"] : [])],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'", env.NEXT_PUBLIC_REALTIME_URL, realtimeWebSocketUrl, ...labProxyUrls],
    "media-src": ["'none'"],
    "object-src": ["'none'"],
    "worker-src": ["'self'", "blob:"],
    "manifest-src": ["'self'"],
    "frame-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}

export default function config(phase: string): NextConfig {
  const dev = phase === PHASE_DEVELOPMENT_SERVER;
  return {
    // `pnpm cluster` builds for its own origin into a folder of its own (NEXT_DIST_DIR), so it
    // never overwrites the .next of `pnpm dev`, `pnpm build` or the browser tests.
    distDir: process.env.NEXT_DIST_DIR || ".next",
    reactStrictMode: true,
    poweredByHeader: false,
    // Workspace packages export raw TypeScript.
    transpilePackages: ["@repo/protocol", "@repo/client", "@repo/game"],
    async headers() {
      return [
        {
          source: "/:path*",
          headers: [
            { key: "Content-Security-Policy", value: contentSecurityPolicy(dev) },
            { key: "X-Content-Type-Options", value: "nosniff" },
            { key: "Referrer-Policy", value: "no-referrer" },
            { key: "X-Frame-Options", value: "DENY" },
            { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
            { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
            {
              key: "Permissions-Policy",
              value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
            },
          ],
        },
      ];
    },
  };
}
