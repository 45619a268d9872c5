"use client";

import { useEffect, useState } from "react";
import { serviceApi } from "@/lib/realtime";

const POLL_MS = 10_000;
/** A health check that takes longer than this counts as no answer. */
const CHECK_TIMEOUT_MS = 5000;

type ServiceHealth = "checking" | "ok" | "degraded" | "down";

/**
 * `GET /healthz` + `GET /readyz`: "ok" when the process is up and ready, "degraded" when it
 * is up but not ready (database down or draining), "down" when it does not answer.
 */
async function checkHealth(signal: AbortSignal): Promise<Exclude<ServiceHealth, "checking">> {
  const options = { signal, timeoutMs: CHECK_TIMEOUT_MS };
  const [health, ready] = await Promise.allSettled([serviceApi.health(options), serviceApi.ready(options)]);
  if (health.status === "rejected") return "down";
  return ready.status === "fulfilled" && ready.value.status === "ready" ? "ok" : "degraded";
}

const LABEL: Record<ServiceHealth, string> = {
  checking: "checking",
  ok: "ok",
  degraded: "degraded",
  down: "down",
};

const DETAIL: Record<ServiceHealth, string> = {
  checking: "Checking the realtime service…",
  ok: "The realtime service is up and ready.",
  degraded: "The realtime service is up but not ready (database down or draining).",
  down: "The realtime service is not answering.",
};

const DOT: Record<ServiceHealth, string> = {
  checking: "bg-neutral-400",
  ok: "bg-emerald-500",
  degraded: "bg-amber-500",
  down: "bg-red-600",
};

/** Polls `/healthz` and `/readyz` every ~10 s (and when the tab becomes visible again). */
export function HealthIndicator() {
  const [health, setHealth] = useState<ServiceHealth>("checking");

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;

    async function poll() {
      clearTimeout(timer);
      const next = await checkHealth(controller.signal);
      if (controller.signal.aborted) return;
      setHealth(next);
      clearTimeout(timer);
      timer = setTimeout(() => void poll(), POLL_MS);
    }

    function onVisibilityChange() {
      if (document.visibilityState === "visible") void poll();
    }

    void poll();
    document.addEventListener("visibilitychange", onVisibilityChange);
    return () => {
      controller.abort();
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibilityChange);
    };
  }, []);

  return (
    <p
      role="status"
      aria-label={`Realtime service: ${LABEL[health]}`}
      title={DETAIL[health]}
      className="flex items-center gap-2 text-sm text-neutral-600 dark:text-neutral-400"
    >
      <span aria-hidden="true" className={`inline-block size-2.5 rounded-full ${DOT[health]}`} />
      <span>
        Realtime: <span className="font-medium text-neutral-900 dark:text-neutral-100">{LABEL[health]}</span>
      </span>
    </p>
  );
}
