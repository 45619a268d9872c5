"use client";

import { useUser } from "./session";

export function Welcome() {
  const user = useUser();
  return (
    <section aria-labelledby="welcome-heading" className="max-w-2xl space-y-4">
      <h1 id="welcome-heading" className="text-3xl font-semibold tracking-tight">
        Welcome, {user.name}
      </h1>
      <p className="text-neutral-700 dark:text-neutral-300">
        Switchboard shows the four real-time techniques — short polling, long polling, Server-Sent Events and
        WebSockets — side by side, and measures what each one costs. You are signed in; the chat room,
        notifications and a small multiplayer game will appear here as they land.
      </p>
    </section>
  );
}
