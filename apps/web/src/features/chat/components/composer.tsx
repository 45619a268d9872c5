"use client";

import { CHAT_LIMITS, MessageText, codePointLength } from "@repo/protocol";
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useNow } from "@/lib/use-now";
import { FieldError } from "@/components/field-error";

/** The length the server will count: line breaks normalized, trimmed, in code points. */
function messageLength(draft: string): number {
  return codePointLength(draft.replace(/\r\n?/g, "\n").trim());
}

/**
 * Writes a message: Enter sends, Shift+Enter starts a new line. Validated with the shared
 * MessageText schema; typing sends a (throttled) "typing" signal.
 */
export function Composer({
  roomName,
  disabled,
  rateLimitedUntil,
  onSend,
  onTyping,
}: {
  roomName: string;
  disabled: boolean;
  rateLimitedUntil: number | null;
  onSend: (text: string) => void;
  onTyping: () => void;
}) {
  const id = useId();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | null>(null);
  const now = useNow(250, rateLimitedUntil !== null);
  const waitSeconds = rateLimitedUntil === null ? 0 : Math.max(0, Math.ceil((rateLimitedUntil - now) / 1000));
  const length = messageLength(draft);
  const tooLong = length > CHAT_LIMITS.messageChars;

  function submit() {
    if (disabled) return;
    if (draft.trim() === "") return;
    const parsed = MessageText.safeParse(draft);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "This message can't be sent");
      return;
    }
    onSend(parsed.data);
    setDraft("");
    setError(null);
    inputRef.current?.focus();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    submit();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  const describedBy = [`${id}-hint`, `${id}-count`, error ? `${id}-error` : null].filter(Boolean).join(" ");

  return (
    <form onSubmit={onSubmit} noValidate className="border-t border-neutral-200 px-4 py-3 dark:border-neutral-800">
      {waitSeconds > 0 && (
        <p role="alert" className="mb-2 rounded-md bg-amber-50 px-3 py-1.5 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          Slow down: you are sending messages too fast.{" "}
          <span aria-hidden="true">You can send again in {waitSeconds} s.</span>
        </p>
      )}
      <label htmlFor={`${id}-input`} className="sr-only">
        Message
      </label>
      <div className="flex items-end gap-2">
        <textarea
          ref={inputRef}
          id={`${id}-input`}
          value={draft}
          onChange={(event) => {
            setDraft(event.target.value);
            if (error) setError(null);
            if (event.target.value.trim() !== "") onTyping();
          }}
          onKeyDown={onKeyDown}
          rows={1}
          placeholder={`Message #${roomName}`}
          disabled={disabled}
          aria-invalid={error || tooLong ? true : undefined}
          aria-describedby={describedBy}
          className="field-sizing-content block max-h-40 min-h-10 w-full resize-none rounded-md border border-neutral-300 bg-white px-3 py-2 text-base focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-60 aria-invalid:border-red-600 dark:border-neutral-700 dark:bg-neutral-900"
        />
        <button
          type="submit"
          disabled={disabled || tooLong}
          className="rounded-md bg-neutral-900 px-4 py-2 font-medium text-white hover:bg-neutral-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-60 dark:bg-neutral-100 dark:text-neutral-900 dark:hover:bg-neutral-300"
        >
          Send
        </button>
      </div>
      <div className="mt-1 flex justify-between gap-4 text-xs text-neutral-600 dark:text-neutral-400">
        <p id={`${id}-hint`}>Enter sends, Shift+Enter adds a line.</p>
        <p id={`${id}-count`} className={`tabular-nums ${tooLong ? "font-medium text-red-700 dark:text-red-400" : ""}`}>
          {length} / {CHAT_LIMITS.messageChars}
          <span className="sr-only"> characters</span>
        </p>
      </div>
      <FieldError id={`${id}-error`} error={error} className="mt-1" />
    </form>
  );
}
