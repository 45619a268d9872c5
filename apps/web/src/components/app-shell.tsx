"use client";

import { failureText } from "@repo/client";
import type { CurrentSessionResponse, User } from "@repo/protocol";
import { useRouter } from "next/navigation";
import { Suspense, useEffect, useState, type ReactNode } from "react";
import { NotificationBell } from "@/features/notifications/components/notification-bell";
import { NotificationToasts } from "@/features/notifications/components/notification-toasts";
import { NotificationsProvider } from "@/features/notifications/components/notifications-provider";
import { serviceApi } from "@/lib/realtime";
import { Brand } from "./brand";
import { FlagsProvider } from "./flags-provider";
import { HealthIndicator } from "./health-indicator";
import { MainNav } from "./main-nav";
import { RealtimeProvider } from "./realtime-provider";
import { SessionContext, probeSession, rememberSession } from "./session";
import { TransportSwitcher } from "./transport-switcher";

type ShellState =
  | { status: "loading" }
  | { status: "signed-in"; user: User }
  | { status: "signed-out" }
  | { status: "error"; message: string };

function shellStateOf(session: CurrentSessionResponse | null): ShellState {
  return session ? { status: "signed-in", user: session.user } : { status: "signed-out" };
}

/** Header + session gate for every signed-in page; sends signed-out visitors to /sign-in. */
export function AppShell({ children }: { children: ReactNode }) {
  const router = useRouter();
  const [state, setState] = useState<ShellState>({ status: "loading" });
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);

  // Bumped by "Try again" to re-run the session check.
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    probeSession().then(
      (session) => {
        if (!cancelled) setState(shellStateOf(session));
      },
      (error: unknown) => {
        if (!cancelled) setState({ status: "error", message: failureText(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  useEffect(() => {
    if (state.status === "signed-out") router.replace("/sign-in");
  }, [state.status, router]);

  async function signOut() {
    setSigningOut(true);
    setSignOutError(null);
    try {
      await serviceApi.signOut();
    } catch (error) {
      setSigningOut(false);
      setSignOutError(failureText(error));
      return;
    }
    rememberSession(false);
    router.replace("/sign-in");
  }

  // The page as `shown` says (the flags provider shows it loading until the first evaluation).
  const renderShell = (shown: ShellState) => {
    const user = shown.status === "signed-in" ? shown.user : null;
    return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-neutral-200 dark:border-neutral-800">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Brand />
          {user && <MainNav />}
          <div className="ml-auto flex flex-wrap items-center gap-x-6 gap-y-2">
            <HealthIndicator />
            {user && (
              <>
                <NotificationBell />
                <p className="text-sm">
                  <span className="sr-only">Signed in as </span>
                  <span className="font-medium">
                    {user.name}
                  </span>
                </p>
                <button
                  type="button"
                  onClick={() => void signOut()}
                  disabled={signingOut}
                  className="rounded-md border border-neutral-300 px-3 py-1.5 text-sm font-medium hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-60 dark:border-neutral-700 dark:hover:bg-neutral-900"
                >
                  Sign out
                </button>
              </>
            )}
          </div>
        </div>
        {signOutError && (
          <p role="alert" className="mx-auto max-w-6xl px-4 pb-3 text-sm text-red-700 dark:text-red-400">
            Couldn&apos;t sign out: {signOutError}
          </p>
        )}
        {user && (
          <div className="border-t border-neutral-200 bg-neutral-50 dark:border-neutral-800 dark:bg-neutral-900/50">
            <TransportSwitcher />
          </div>
        )}
      </header>
      <main className="mx-auto flex w-full max-w-6xl flex-1 flex-col px-4 py-6">
        {shown.status === "signed-in" ? (
          <SessionContext value={shown.user}>{children}</SessionContext>
        ) : shown.status === "error" ? (
          <div role="alert" className="space-y-3">
            <p>{shown.message}</p>
            <button
              type="button"
              onClick={() => {
                setState({ status: "loading" });
                setAttempt((n) => n + 1);
              }}
              className="rounded-md bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-neutral-700 dark:bg-neutral-100 dark:text-neutral-900 dark:hover:bg-neutral-300"
            >
              Try again
            </button>
          </div>
        ) : (
          <p role="status" className="text-neutral-600 dark:text-neutral-400">
            Loading your session…
          </p>
        )}
      </main>
      {user && <NotificationToasts />}
    </div>
    );
  };

  // Signed in: the flags (OpenFeature with the user as context; until the first evaluation the
  // shell shows itself loading), then the realtime clients, one per feature, around the header
  // (switcher, bell) and the pages, and one notifications store on its client. The realtime
  // provider reads `?transport=` (useSearchParams), hence the Suspense boundary.
  return state.status === "signed-in" ? (
    <Suspense fallback={null}>
      <FlagsProvider key={state.user.id} user={state.user} fallback={renderShell({ status: "loading" })}>
        <RealtimeProvider>
          <NotificationsProvider me={state.user}>{renderShell(state)}</NotificationsProvider>
        </RealtimeProvider>
      </FlagsProvider>
    </Suspense>
  ) : (
    renderShell(state)
  );
}
