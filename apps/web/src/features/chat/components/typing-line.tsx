import type { User } from "@repo/protocol";

function sentence(users: readonly User[]): string {
  if (users.length === 0) return "";
  if (users.length === 1) return `${users[0]!.name} is typing…`;
  if (users.length === 2) return `${users[0]!.name} and ${users[1]!.name} are typing…`;
  return "Several people are typing…";
}

/** "Ada is typing…": from the ephemeral typing signals, gone a few seconds after the last one. */
export function TypingLine({ users }: { users: readonly User[] }) {
  return (
    <p
      role="status"
      aria-label="Typing"
      className="h-6 truncate px-4 pt-1 text-sm text-neutral-600 italic dark:text-neutral-400"
    >
      {sentence(users)}
    </p>
  );
}
