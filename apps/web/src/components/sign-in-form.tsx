"use client";

import { ProtocolError, failureText } from "@repo/client";
import { CreateSessionRequest } from "@repo/protocol";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { serviceApi } from "@/lib/realtime";
import { FieldError } from "./field-error";
import { probeSession, rememberSession } from "./session";

/** A refused name belongs next to the field (its issue, or any invalid input); the rest to the form. */
function placeError(error: unknown): { field?: string; form?: string } {
  if (error instanceof ProtocolError) {
    const issue = error.issues?.find((candidate) => candidate.path[0] === "name") ?? error.issues?.[0];
    if (issue) return { field: issue.message };
    if (error.code === "validation") return { field: failureText(error) };
  }
  return { form: failureText(error) };
}

export function SignInForm() {
  const router = useRouter();
  const id = useId();
  const inputId = `${id}-name`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const inputRef = useRef<HTMLInputElement>(null);

  const [name, setName] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  // Already signed in (the cookie is still valid)? Go straight to the app.
  useEffect(() => {
    let cancelled = false;
    probeSession().then(
      (session) => {
        if (!cancelled && session) router.replace("/");
      },
      () => {}, // Unknown: stay on the form; signing in finds out.
    );
    return () => {
      cancelled = true;
    };
  }, [router]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    setFormError(null);

    const parsed = CreateSessionRequest.safeParse({ name });
    if (!parsed.success) {
      setFieldError(parsed.error.issues[0]?.message ?? "Invalid display name");
      inputRef.current?.focus();
      return;
    }
    setFieldError(null);
    setPending(true);
    try {
      await serviceApi.signIn(parsed.data.name);
    } catch (error) {
      setPending(false);
      const shown = placeError(error);
      setFieldError(shown.field ?? null);
      setFormError(shown.form ?? null);
      if (shown.field) inputRef.current?.focus();
      return;
    }
    rememberSession(true);
    router.replace("/");
  }

  return (
    <form onSubmit={(event) => void onSubmit(event)} noValidate aria-busy={pending} className="mt-8 space-y-4">
      <div className="space-y-1.5">
        <label htmlFor={inputId} className="block text-sm font-medium">
          Display name
        </label>
        <input
          ref={inputRef}
          id={inputId}
          name="name"
          type="text"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            if (fieldError) setFieldError(null);
          }}
          autoComplete="nickname"
          autoCapitalize="words"
          spellCheck={false}
          maxLength={256}
          required
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? `${errorId} ${hintId}` : hintId}
          className="block w-full rounded-md border border-neutral-300 bg-white px-3 py-2 text-base shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 aria-invalid:border-red-600 dark:border-neutral-700 dark:bg-neutral-900"
        />
        <p id={hintId} className="text-sm text-neutral-600 dark:text-neutral-400">
          1 to 32 characters.
        </p>
        <FieldError id={errorId} error={fieldError} className="font-medium" />
      </div>
      {formError && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-300">
          {formError}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-neutral-900 px-4 py-2 font-medium text-white hover:bg-neutral-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-60 dark:bg-neutral-100 dark:text-neutral-900 dark:hover:bg-neutral-300"
      >
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
