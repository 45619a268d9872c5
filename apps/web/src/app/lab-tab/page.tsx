import type { Metadata } from "next";
import { TickerTab, type TabMode } from "@/features/lab/tab/ticker-tab";

export const metadata: Metadata = { title: "Lab tab" };

/** A tab the lab's "six connections" panel opens: `?mode=shared` reads through the shared connection. */
export default async function LabTabRoute({ searchParams }: { searchParams: Promise<{ mode?: string }> }) {
  const { mode } = await searchParams;
  const tabMode: TabMode = mode === "shared" ? "shared" : "plain";
  return <TickerTab mode={tabMode} />;
}
