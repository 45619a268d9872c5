"use client";

// Whether the lab's nginx proxies answer (they run only under `pnpm dev` with nginx installed):
// a panel whose proxies are down says so instead of showing readers that can never connect.
import { useEffect, useState } from "react";

/** nginx answers this itself (tooling/nginx CONFIG_MARKER_PATH), open to any origin. */
const CONFIG_MARKER = "/__nginx/config";

export type ProxiesUp = "checking" | "up" | "down";

export function useProxiesUp(urls: readonly string[]): ProxiesUp {
  const [up, setUp] = useState<ProxiesUp>("checking");
  useEffect(() => {
    let live = true;
    Promise.all(urls.map((url) => fetch(`${url}${CONFIG_MARKER}`, { cache: "no-store" }).then((answer) => answer.ok)))
      .then((answers) => live && setUp(answers.every(Boolean) ? "up" : "down"))
      .catch(() => live && setUp("down"));
    return () => {
      live = false;
    };
  }, [urls]);
  return up;
}
