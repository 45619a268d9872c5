import type { Metadata } from "next";
import { Suspense } from "react";
import { ChatApp } from "@/features/chat/components/chat-app";

export const metadata: Metadata = { title: "Chat" };

export default function ChatPage() {
  // ChatApp reads ?room= (useSearchParams): the boundary keeps the page statically renderable.
  return (
    <Suspense fallback={null}>
      <ChatApp />
    </Suspense>
  );
}
