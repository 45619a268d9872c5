"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { hrefWith } from "@/lib/transport";
import { useRequestedTransport } from "./realtime-provider";

const LINKS = [
  { href: "/", label: "Home" },
  { href: "/chat", label: "Chat" },
  { href: "/notifications", label: "Notifications" },
  { href: "/game", label: "Game" },
  { href: "/lab", label: "Lab" },
] as const;

/** The signed-in pages. Links keep the chosen `?transport=`. */
export function MainNav() {
  const pathname = usePathname();
  const transport = useRequestedTransport();
  return (
    <nav aria-label="Main">
      <ul className="flex items-center gap-1 text-sm">
        {LINKS.map((link) => {
          const current = link.href === "/" ? pathname === "/" : pathname.startsWith(link.href);
          return (
            <li key={link.href}>
              <Link
                href={hrefWith(link.href, "", "transport", transport)}
                aria-current={current ? "page" : undefined}
                className="rounded-md px-2.5 py-1.5 font-medium text-neutral-600 hover:bg-neutral-100 hover:text-neutral-900 aria-[current=page]:bg-neutral-100 aria-[current=page]:text-neutral-900 dark:text-neutral-400 dark:hover:bg-neutral-900 dark:hover:text-neutral-100 dark:aria-[current=page]:bg-neutral-900 dark:aria-[current=page]:text-neutral-100"
              >
                {link.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
