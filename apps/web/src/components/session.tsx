"use client";

import type { User } from "@repo/protocol";
import { createContext, use } from "react";

/** The signed-in user, provided by the app shell once `GET /v1/session` succeeds. */
export const SessionContext = createContext<User | null>(null);

export function useUser(): User {
  const user = use(SessionContext);
  if (!user) throw new Error("useUser() must be used inside the signed-in app shell");
  return user;
}
