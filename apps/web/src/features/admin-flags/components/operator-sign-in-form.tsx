"use client";

import { ProtocolError, failureText } from "@repo/client";
import { OperatorSignInRequest } from "@repo/protocol";
import { useId, useRef, useState, type FormEvent } from "react";
import { FieldError } from "@/components/field-error";
import { serviceApi } from "@/lib/realtime";

/**
 * Exchanges the operator secret for an operator session (an HttpOnly cookie the service sets).
 * The secret lives only in this input while typed: never stored, never in a URL (POST body),
 * and the field is cleared whatever the answer.
 */
export function OperatorSignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const parsed = OperatorSignInRequest.safeParse({ secret });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "Enter the operator secret");
      inputRef.current?.focus();
      return;
    }
    setPending(true);
    setError(null);
    try {
      await serviceApi.flagsAdmin.signIn(parsed.data.secret);
      setSecret("");
      onSignedIn();
    } catch (failure) {
      setSecret("");
      setError(failure instanceof ProtocolError && failure.code === "unauthorized" ? "That is not the operator secret." : failureText(failure));
      inputRef.current?.focus();
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={(event) => void onSubmit(event)} noValidate aria-busy={pending} aria-labelledby={`${id}-title`} className="mt-6 max-w-md space-y-3">
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Operator sign-in
      </h2>
      <div className="space-y-1.5">
        <label htmlFor={`${id}-secret`} className="block text-sm font-medium">
          Operator secret
        </label>
        <input
          ref={inputRef}
          id={`${id}-secret`}
          name="operator-secret"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={secret}
          onChange={(event) => {
            setSecret(event.target.value);
            if (error) setError(null);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error ${id}-hint` : `${id}-hint`}
          className="block w-full rounded-md border border-neutral-300 bg-white px-3 py-2 shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 aria-invalid:border-red-600 dark:border-neutral-700 dark:bg-neutral-900"
        />
        <p id={`${id}-hint`} className="text-sm text-neutral-600 dark:text-neutral-400">
          The service&apos;s OPERATOR_TOKEN. It is exchanged for a 30-minute operator session and not kept by this page.
        </p>
        <FieldError id={`${id}-error`} error={error} className="font-medium" />
      </div>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-neutral-900 px-4 py-2 font-medium text-white hover:bg-neutral-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-60 dark:bg-neutral-100 dark:text-neutral-900 dark:hover:bg-neutral-300"
      >
        {pending ? "Signing in…" : "Sign in as operator"}
      </button>
    </form>
  );
}
