import Link from "next/link";

export function Brand() {
  return (
    <Link href="/" className="text-lg font-semibold tracking-tight hover:opacity-80">
      Switchboard
    </Link>
  );
}
