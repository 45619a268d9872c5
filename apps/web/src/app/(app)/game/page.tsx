import type { Metadata } from "next";
import { Suspense } from "react";
import { GameApp } from "@/features/game/components/game-app";

export const metadata: Metadata = { title: "Game" };

export default function GamePage() {
  // GameApp reads ?game= and ?join= (useSearchParams): the boundary keeps the page statically renderable.
  return (
    <Suspense fallback={null}>
      <GameApp />
    </Suspense>
  );
}
