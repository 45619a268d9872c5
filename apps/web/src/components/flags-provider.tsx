"use client";

import { OpenFeatureProvider } from "@openfeature/react-sdk";
import { NOOP_PROVIDER, OpenFeature } from "@openfeature/web-sdk";
import type { User } from "@repo/protocol";
import { useSearchParams } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { env } from "@/env";
import { FLAGS_DOMAIN, createFlagsProvider, userContext } from "@/lib/flags/ofrep-flags";
import { transportFromParam } from "@/lib/transport";

/** How long the app waits for the first evaluation before it goes on with built-in defaults. */
const START_TIMEOUT_MS = 3000;

type Phase = "starting" | "ready" | "unavailable";

/**
 * OpenFeature for the signed-in shell: the OFREP provider, with the user as the evaluation
 * context, bound to the app's domain, and the React SDK's provider around the children.
 * Client-only: the provider is set in an effect (never at module scope, where a server render
 * would share the process-global OpenFeature API between requests), and nothing here renders
 * on the server. The children wait for the first evaluation (so each feature's client opens on
 * its flagged transport rather than switching right away), unless `?transport=` overrides every
 * feature's transport anyway; after START_TIMEOUT_MS, or when the service cannot evaluate, they
 * go on with defaults and follow the flags once they arrive.
 */
export function FlagsProvider({ user, fallback, children }: { user: User; fallback: ReactNode; children: ReactNode }) {
  const [phase, setPhase] = useState<Phase>("starting");
  const overridden = transportFromParam(useSearchParams().get("transport")) !== null;

  useEffect(() => {
    let current = true;
    const settle = (next: Phase) => {
      if (current) setPhase((now) => (now === "starting" ? next : now));
    };
    const timer = setTimeout(() => settle("unavailable"), START_TIMEOUT_MS);
    const provider = createFlagsProvider(env.NEXT_PUBLIC_REALTIME_URL);
    OpenFeature.setProviderAndWait(FLAGS_DOMAIN, provider, userContext(user)).then(
      () => settle("ready"),
      () => settle("unavailable"),
    );
    return () => {
      current = false;
      clearTimeout(timer);
      // Replacing it closes the provider (its change stream, its requests in flight).
      OpenFeature.setProvider(FLAGS_DOMAIN, NOOP_PROVIDER);
    };
  }, [user]);

  if (phase === "starting" && !overridden) return fallback;
  return <OpenFeatureProvider domain={FLAGS_DOMAIN}>{children}</OpenFeatureProvider>;
}
