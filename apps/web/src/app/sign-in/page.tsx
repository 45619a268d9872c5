import type { Metadata } from "next";
import { Brand } from "@/components/brand";
import { HealthIndicator } from "@/components/health-indicator";
import { SignInForm } from "@/components/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-neutral-200 dark:border-neutral-800">
        <div className="mx-auto flex max-w-5xl items-center gap-6 px-4 py-3">
          <Brand />
          <div className="ml-auto">
            <HealthIndicator />
          </div>
        </div>
      </header>
      <main className="mx-auto w-full max-w-md flex-1 px-4 py-16">
        <h1 className="text-2xl font-semibold tracking-tight">Sign in to Switchboard</h1>
        <p className="mt-2 text-neutral-700 dark:text-neutral-300">
          Pick a display name. Others see it in chat; no password needed.
        </p>
        <SignInForm />
      </main>
    </div>
  );
}
