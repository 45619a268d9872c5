"use client";

// Whether the lab's nginx proxies answer (they run only under `pnpm dev` with nginx installed):
// a panel whose proxies are down says so instead of showing readers that can never connect.
import { HTTP_PATHS } from "@repo/protocol";
import { useEffect, useState } from "react";

export type ProxiesUp = "checking" | "up" | "down";

export function useProxiesUp(urls: readonly string[]): ProxiesUp {
  const [up, setUp] = useState<ProxiesUp>("checking");
  useEffect(() => {
    let live = true;
    Promise.all(urls.map((url) => fetch(`${url}${HTTP_PATHS.health}`, { cache: "no-store" }).then((answer) => answer.ok)))
      .then((answers) => live && setUp(answers.every(Boolean) ? "up" : "down"))
      .catch(() => live && setUp("down"));
    return () => {
      live = false;
    };
  }, [urls]);
  return up;
}
