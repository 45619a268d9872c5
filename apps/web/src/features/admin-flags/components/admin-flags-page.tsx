"use client";

import { failureText } from "@repo/client";
import { useCallback, useEffect, useState } from "react";
import { Brand } from "@/components/brand";
import { HealthIndicator } from "@/components/health-indicator";
import { serviceApi } from "@/lib/realtime";
import { detectAccess, type Access } from "../state/access";
import { FlagsConsole } from "./flags-console";
import { OperatorSignInForm } from "./operator-sign-in-form";

type View = { kind: "loading" } | { kind: "failed"; message: string } | Access;

const BUTTON =
  "rounded-md border border-neutral-300 px-3 py-1.5 text-sm font-medium hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-60 dark:border-neutral-700 dark:hover:bg-neutral-900";

/** /admin/flags: the operator's console, the secret form, or "operators only" for a guest. */
export function AdminFlagsPage() {
  const [view, setView] = useState<View>({ kind: "loading" });

  const refresh = useCallback(() => {
    detectAccess().then(setView, (error: unknown) => setView({ kind: "failed", message: failureText(error) }));
  }, []);
  useEffect(refresh, [refresh]);

  async function signOut() {
    try {
      await serviceApi.flagsAdmin.signOut();
    } finally {
      refresh();
    }
  }

  return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-neutral-200 dark:border-neutral-800">
        <div className="mx-auto flex max-w-6xl items-center gap-4 px-4 py-3">
          <Brand />
          <span className="text-sm font-medium text-neutral-600 dark:text-neutral-400">Admin · Flags</span>
          <div className="ml-auto flex items-center gap-3">
            <HealthIndicator />
            {view.kind === "operator" && (
              <button type="button" onClick={() => void signOut()} className={BUTTON}>
                Sign out operator
              </button>
            )}
          </div>
        </div>
      </header>
      <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
        <h1 className="text-2xl font-semibold tracking-tight">Feature flags</h1>
        {view.kind === "loading" && (
          <p role="status" className="mt-4 text-neutral-600 dark:text-neutral-400">
            Checking your access…
          </p>
        )}
        {view.kind === "failed" && (
          <div role="alert" className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-300">
            {view.message}{" "}
            <button type="button" onClick={refresh} className="underline">
              Try again
            </button>
          </div>
        )}
        {view.kind === "off" && (
          <p role="alert" className="mt-4 rounded-md bg-amber-50 px-3 py-2 text-amber-900 dark:bg-amber-950 dark:text-amber-200">
            Flag administration is off on this service: {view.message}
          </p>
        )}
        {view.kind === "guest" && (
          <section aria-labelledby="operators-only" className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950">
            <h2 id="operators-only" className="font-semibold text-amber-900 dark:text-amber-200">
              Operators only (403)
            </h2>
            <p className="mt-1 text-sm text-amber-900 dark:text-amber-200">
              You are signed in as a guest, and a guest cannot change flags. The service said: {view.message}
            </p>
          </section>
        )}
        {(view.kind === "guest" || view.kind === "signed-out") && <OperatorSignInForm onSignedIn={refresh} />}
        {view.kind === "operator" && <FlagsConsole onSignedOut={refresh} />}
      </main>
    </div>
  );
}
