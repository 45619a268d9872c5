"use client";

import Link from "next/link";
import { hrefWith } from "@/lib/transport";
import { useRequestedTransport } from "./realtime-provider";
import { useUser } from "./session";

export function Welcome() {
  const user = useUser();
  const transport = useRequestedTransport();
  return (
    <section aria-labelledby="welcome-heading" className="max-w-2xl space-y-4">
      <h1 id="welcome-heading" className="text-3xl font-semibold tracking-tight">
        Welcome, {user.name}
      </h1>
      <p className="text-neutral-700 dark:text-neutral-300">
        Switchboard shows the four real-time techniques — short polling, long polling, Server-Sent Events and
        WebSockets — side by side, and measures what each one costs. Pick a transport in the bar above:
        the counters show what it costs, live.
      </p>
      <p>
        <Link
          href={hrefWith("/chat", "", "transport", transport)}
          className="inline-block rounded-md bg-neutral-900 px-4 py-2 font-medium text-white hover:bg-neutral-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:bg-neutral-100 dark:text-neutral-900 dark:hover:bg-neutral-300"
        >
          Open the chat
        </Link>
      </p>
    </section>
  );
}
