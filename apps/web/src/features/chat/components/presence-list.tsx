import type { User } from "@repo/protocol";
import { useId } from "react";

/** Who is reading the room now (on any transport), kept live by presence events. */
export function PresenceList({ users, me, ready }: { users: readonly User[]; me: User; ready: boolean }) {
  const id = useId();
  return (
    <aside aria-labelledby={id} className="flex min-h-0 flex-col gap-3">
      <h2 id={id} className="text-sm font-semibold tracking-wide text-neutral-600 uppercase dark:text-neutral-400">
        In the room{ready && <span className="ml-1 font-normal tabular-nums">({users.length})</span>}
      </h2>
      <ul aria-label="People in the room" className="min-h-0 space-y-1 overflow-y-auto text-sm">
        {users.map((user) => (
          <li key={user.id} className="flex items-center gap-2">
            <span aria-hidden="true" className="inline-block size-2 shrink-0 rounded-full bg-emerald-500" />
            <span className="min-w-0 truncate">{user.name}</span>
            {user.id === me.id && <span className="text-neutral-500">(you)</span>}
          </li>
        ))}
      </ul>
    </aside>
  );
}
