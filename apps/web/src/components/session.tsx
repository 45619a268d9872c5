"use client";

import type { CurrentSessionResponse, User } from "@repo/protocol";
import { createContext, use } from "react";
import { serviceApi } from "@/lib/realtime";

/** The signed-in user, provided by the app shell once `GET /v1/session` succeeds. */
export const SessionContext = createContext<User | null>(null);

export function useUser(): User {
  const user = use(SessionContext);
  if (!user) throw new Error("useUser() must be used inside the signed-in app shell");
  return user;
}

/**
 * Whether this browser may hold a session, remembered here: set when a session is made or
 * confirmed, cleared at sign-out or when the service says there is none. The session cookie is
 * HttpOnly (and set by the service), so the page cannot look at it; and asking the service with
 * no session gets a 401, which the browser logs as an error, while being signed out is no error.
 */
const SESSION_HINT_KEY = "switchboard:session";

export function rememberSession(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(SESSION_HINT_KEY, "1");
    else localStorage.removeItem(SESSION_HINT_KEY);
  } catch {
    // No storage (blocked or full): probeSession asks the service every time instead.
  }
}

function mayHaveSession(): boolean {
  try {
    return localStorage.getItem(SESSION_HINT_KEY) !== null;
  } catch {
    return true;
  }
}

/**
 * Who is signed in here (null: nobody): `GET /v1/session` when this browser may hold a session,
 * else signed out at once. Rejects as the SDK does (ProtocolError, ConnectionError).
 */
export async function probeSession(): Promise<CurrentSessionResponse | null> {
  if (!mayHaveSession()) return null;
  const session = await serviceApi.currentSession();
  rememberSession(session !== null);
  return session;
}
