"use client";

import { failureText } from "@repo/client";
import { useId, useState, type FormEvent } from "react";
import { FieldError } from "@/components/field-error";
import { flagsOf, withFlag } from "../state/flag-document";
import { previewByFlag } from "../state/rollout";
import { useFlagsConsole, type PlacedErrors } from "../state/use-flags-console";
import { AuditLog } from "./audit-log";
import { FlagCard } from "./flag-card";

const BUTTON =
  "rounded-md px-4 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-50";
const PRIMARY = `${BUTTON} bg-neutral-900 text-white hover:bg-neutral-700 dark:bg-neutral-100 dark:text-neutral-900 dark:hover:bg-neutral-300`;
const SECONDARY = `${BUTTON} border border-neutral-300 hover:bg-neutral-100 dark:border-neutral-700 dark:hover:bg-neutral-900`;
const INPUT =
  "block w-full rounded-md border border-neutral-300 bg-white px-3 py-2 text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 aria-invalid:border-red-600 dark:border-neutral-700 dark:bg-neutral-900";

/** The operator's console: every flag with its edits and live preview, save with a reason, the audit log, undo. */
export function FlagsConsole({ onSignedOut }: { onSignedOut: () => void }) {
  const id = useId();
  const admin = useFlagsConsole();
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  const { loaded, draft, preview } = admin;

  if (admin.loadError) {
    return (
      <div role="alert" className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-300">
        {failureText(admin.loadError)}{" "}
        <button type="button" className="underline" onClick={onSignedOut}>
          Check access again
        </button>
      </div>
    );
  }
  if (!loaded || !draft) return <p role="status" className="mt-4 text-neutral-600">Loading flags…</p>;

  const saved = new Map(flagsOf(loaded.definitions));
  const previews = previewByFlag(preview);
  const errors = new Map([...admin.previewErrors.byFlag, ...admin.saveErrors.byFlag]);
  const formError = admin.saveErrors.form ?? admin.previewErrors.form;
  const shownReasonError = reasonError ?? admin.saveErrors.reason;

  async function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (reason.trim() === "") {
      setReasonError("Say why (reason): it goes in the audit log.");
      document.getElementById(`${id}-reason`)?.focus();
      return;
    }
    setReasonError(null);
    if (await admin.save(reason.trim())) setReason("");
  }

  return (
    <div className="mt-4">
      <p className="text-sm text-neutral-600 dark:text-neutral-400">
        {loaded.source === "database" ? `Saved by ${loaded.updatedBy ?? "an operator"} at ${loaded.updatedAt ? new Date(loaded.updatedAt).toLocaleString() : "?"}` : "From the committed file (no change saved yet)"} · version{" "}
        <code>{loaded.etag}</code>
      </p>

      <form onSubmit={(event) => void onSave(event)} aria-label="Save flag changes" noValidate className="sticky top-0 z-10 mt-4 space-y-2 rounded-lg border border-neutral-200 bg-white/95 p-4 backdrop-blur dark:border-neutral-800 dark:bg-neutral-950/95">
        <div role="status" aria-live="polite" className="text-sm" data-testid="preview-summary">
          {!admin.dirty && "No unsaved changes."}
          {admin.dirty && !preview && errors.size === 0 && "Previewing…"}
          {admin.dirty && preview && `Preview over ${preview.connectedUsers} connected user${preview.connectedUsers === 1 ? "" : "s"}: ${preview.flagsChanged.length} flag${preview.flagsChanged.length === 1 ? "" : "s"} would change (${preview.flagsChanged.join(", ") || "none"}).`}
          {admin.saveState.kind === "saved" && !admin.dirty && ` Saved: ${admin.saveState.flagsChanged.join(", ") || "no flag changed"}.`}
        </div>
        <div className="space-y-1">
          <label htmlFor={`${id}-reason`} className="block text-sm font-medium">
            Reason (required, goes in the audit log)
          </label>
          <input
            id={`${id}-reason`}
            value={reason}
            onChange={(event) => {
              setReason(event.target.value);
              setReasonError(null);
            }}
            maxLength={500}
            aria-invalid={shownReasonError ? true : undefined}
            aria-describedby={shownReasonError ? `${id}-reason-error` : undefined}
            className={INPUT}
          />
          <FieldError id={`${id}-reason-error`} error={shownReasonError} />
        </div>
        {formError && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-300">
            {formError}
          </p>
        )}
        {admin.saveState.kind === "conflict" && (
          <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
            Changed meanwhile: someone saved another version since you loaded this one.{" "}
            <button type="button" className="font-medium underline" onClick={() => void admin.reload()}>
              Reload
            </button>{" "}
            (your edits here are dropped).
          </p>
        )}
        <div className="flex flex-wrap gap-2">
          <button type="submit" disabled={!admin.dirty || admin.saveState.kind === "saving"} className={PRIMARY}>
            {admin.saveState.kind === "saving" ? "Saving…" : "Save changes"}
          </button>
          <button type="button" disabled={!admin.dirty} onClick={admin.discard} className={SECONDARY}>
            Discard changes
          </button>
        </div>
      </form>

      <section aria-labelledby={`${id}-flags`} className="mt-6">
        <h2 id={`${id}-flags`} className="sr-only">
          Flags
        </h2>
        <div className="space-y-4">
          {flagsOf(draft).map(([key, flag]) => (
            <FlagCard
              key={key}
              flagKey={key}
              flag={flag}
              saved={saved.get(key)}
              preview={previews.get(key)}
              connectedUsers={preview?.connectedUsers ?? null}
              error={errors.get(key)}
              onChange={(next) => admin.setDraft(withFlag(draft, key, next))}
            />
          ))}
        </div>
      </section>

      <UndoForm disabled={!admin.changes?.changes.length} onUndo={admin.undo} />
      <AuditLog changes={admin.changes} />
    </div>
  );
}

/** Undo of the last change: it needs a reason too (the undo is itself audited). */
function UndoForm({ disabled, onUndo }: { disabled: boolean; onUndo: (reason: string) => Promise<PlacedErrors | null> }) {
  const id = useId();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (reason.trim() === "") {
      setError("Say why you undo it.");
      return;
    }
    setPending(true);
    const failed = await onUndo(reason.trim());
    setPending(false);
    if (failed) setError(failed.reason ?? failed.form ?? "The undo was refused.");
    else {
      setReason("");
      setError(null);
    }
  }
  return (
    <form onSubmit={(event) => void onSubmit(event)} aria-labelledby={`${id}-title`} noValidate className="mt-10 space-y-2">
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        Undo the last change
      </h2>
      <label htmlFor={`${id}-reason`} className="block text-sm font-medium">
        Why undo it? (required)
      </label>
      <input
        id={`${id}-reason`}
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        maxLength={480}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={INPUT}
      />
      <FieldError id={`${id}-error`} error={error} />
      <button type="submit" disabled={disabled || pending} className={SECONDARY}>
        {pending ? "Undoing…" : "Undo last change"}
      </button>
    </form>
  );
}
