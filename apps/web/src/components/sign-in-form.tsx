"use client";

import { CreateSessionRequest, type ErrorBody } from "@repo/protocol";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { createSession } from "@/lib/realtime";
import { FieldError } from "./field-error";
import { probeSession, rememberSession } from "./session";

/** Picks what to show next to the field and what to show for the whole form. */
function describeError(error: ErrorBody): { field?: string; form?: string } {
  const nameIssue = error.issues?.find((issue) => issue.path[0] === "name") ?? error.issues?.[0];
  if (nameIssue) return { field: nameIssue.message };
  if (error.code === "validation") return { field: error.message };
  if (error.code === "rate_limited" && error.retryAfter !== undefined) {
    return { form: `${error.message}. Try again in ${Math.ceil(error.retryAfter)} s.` };
  }
  return { form: error.message };
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
    void probeSession().then((result) => {
      if (!cancelled && result.ok && result.value) router.replace("/");
    });
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
    const result = await createSession(parsed.data.name);
    if (result.ok) {
      rememberSession(true);
      router.replace("/");
      return;
    }
    setPending(false);
    if (result.kind === "network") {
      setFormError(result.message);
      return;
    }
    const shown = describeError(result.error);
    setFieldError(shown.field ?? null);
    setFormError(shown.form ?? null);
    if (shown.field) inputRef.current?.focus();
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
