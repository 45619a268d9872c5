import type { Metadata } from "next";
import { ReplayView } from "@/features/game/components/replay-view";

export const metadata: Metadata = { title: "Replay" };

export default async function ReplayPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ReplayView gameId={id} />;
}
