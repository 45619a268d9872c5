"use client";

import { MessageText, type ChatMessage, type User } from "@repo/protocol";
import { memo, useId, useState, type KeyboardEvent, type ReactNode } from "react";
import { isPending, type ListItem, type PendingMessage } from "../room/message-store";
import type { ChatRoomController } from "../room/chat-room";
import { LinkifiedText } from "./linkified-text";
import { FieldError } from "@/components/field-error";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

const SMALL_BUTTON =
  "rounded px-1.5 py-0.5 text-xs font-medium text-neutral-600 hover:bg-neutral-200 hover:text-neutral-900 focus-visible:outline-2 focus-visible:outline-blue-600 disabled:opacity-60 dark:text-neutral-400 dark:hover:bg-neutral-800 dark:hover:text-neutral-100";

interface RowProps {
  item: ListItem;
  me: User;
  editing: boolean;
  onStartEditing: (key: string) => void;
  onStopEditing: () => void;
  controller: ChatRoomController;
}

/** One message: confirmed (with my edit and delete), or one of mine still pending or failed. */
export const MessageRow = memo(function MessageRow(props: RowProps) {
  return isPending(props.item) ? (
    <PendingRow pending={props.item} me={props.me} controller={props.controller} />
  ) : (
    <ConfirmedRow {...props} message={props.item} />
  );
});

/**
 * Names are not unique (two guests may both be "Ada"), so each carries a short tag derived
 * from the user id, and one's own messages say so: a look-alike name cannot pass for someone else.
 */
function Byline({ name, userId, mine, children }: { name: string; userId: string; mine: boolean; children?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-baseline gap-x-2">
      <span className="font-semibold">{name}</span>
      <span className="text-xs text-zinc-500" title={`User ${userId}`}>
        {mine ? "(you)" : `#${userId.slice(-4)}`}
      </span>
      {children}
    </div>
  );
}

function ConfirmedRow({ message, me, editing, onStartEditing, onStopEditing, controller }: RowProps & { message: ChatMessage }) {
  const mine = message.author.id === me.id;
  const deleted = message.deletedAt !== null;
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const created = new Date(message.createdAt);

  async function remove() {
    setBusy(true);
    setError(null);
    const result = await controller.remove(message.id);
    setBusy(false);
    setConfirmingDelete(false);
    if (!result.ok) setError(result.message);
  }

  return (
    <article className="group px-4 py-1.5 hover:bg-neutral-50 dark:hover:bg-neutral-900/60">
      <Byline name={message.author.name} userId={message.author.id} mine={mine}>
        <time dateTime={message.createdAt} title={fullFormat.format(created)} className="text-xs text-neutral-500">
          {timeFormat.format(created)}
        </time>
        {message.editedAt && !deleted && <span className="text-xs text-neutral-500">(edited)</span>}
        {mine && !deleted && !editing && !confirmingDelete && (
          <span className="ml-auto flex gap-1 opacity-60 group-hover:opacity-100 focus-within:opacity-100">
            <button type="button" className={SMALL_BUTTON} onClick={() => onStartEditing(message.id)}>
              Edit
            </button>
            <button type="button" className={SMALL_BUTTON} onClick={() => setConfirmingDelete(true)}>
              Delete
            </button>
          </span>
        )}
      </Byline>
      {deleted ? (
        <p className="text-sm text-neutral-500 italic">This message was deleted.</p>
      ) : editing ? (
        <EditForm message={message} controller={controller} onDone={onStopEditing} />
      ) : (
        <p data-testid="message-text" className="break-words whitespace-pre-wrap">
          <LinkifiedText text={message.text} />
        </p>
      )}
      {confirmingDelete && (
        <div role="group" aria-label="Confirm delete" className="mt-1 flex flex-wrap items-center gap-2 text-sm">
          <span>Delete this message for everyone?</span>
          <button
            type="button"
            disabled={busy}
            onClick={() => void remove()}
            className="rounded bg-red-700 px-2 py-0.5 text-xs font-medium text-white hover:bg-red-800 disabled:opacity-60"
          >
            {busy ? "Deleting…" : "Yes, delete"}
          </button>
          <button type="button" disabled={busy} className={SMALL_BUTTON} onClick={() => setConfirmingDelete(false)}>
            Cancel
          </button>
        </div>
      )}
      <FieldError error={error} />
    </article>
  );
}

function EditForm({ message, controller, onDone }: { message: ChatMessage; controller: ChatRoomController; onDone: () => void }) {
  const id = useId();
  const [draft, setDraft] = useState(message.text);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function save() {
    if (saving) return;
    const parsed = MessageText.safeParse(draft);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "This message can't be saved");
      return;
    }
    if (parsed.data === message.text) {
      onDone();
      return;
    }
    setSaving(true);
    const result = await controller.edit(message.id, parsed.data);
    setSaving(false);
    if (result.ok) onDone();
    else setError(result.message);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      onDone();
    } else if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void save();
    }
  }

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
      noValidate
      className="mt-1 space-y-1"
    >
      <label htmlFor={`${id}-text`} className="sr-only">
        Edit message
      </label>
      <textarea
        id={`${id}-text`}
        value={draft}
        onChange={(event) => {
          setDraft(event.target.value);
          if (error) setError(null);
        }}
        onKeyDown={onKeyDown}
        autoFocus
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className="field-sizing-content block max-h-40 min-h-10 w-full resize-none rounded-md border border-neutral-300 bg-white px-3 py-2 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 aria-invalid:border-red-600 dark:border-neutral-700 dark:bg-neutral-900"
      />
      <div className="flex items-center gap-2">
        <button
          type="submit"
          disabled={saving}
          className="rounded bg-neutral-900 px-2 py-0.5 text-xs font-medium text-white hover:bg-neutral-700 disabled:opacity-60 dark:bg-neutral-100 dark:text-neutral-900"
        >
          {saving ? "Saving…" : "Save"}
        </button>
        <button type="button" onClick={onDone} className={SMALL_BUTTON}>
          Cancel
        </button>
        <span className="text-xs text-neutral-500">Enter saves, Esc cancels.</span>
      </div>
      <FieldError id={`${id}-error`} error={error} />
    </form>
  );
}

function PendingRow({ pending, me, controller }: { pending: PendingMessage; me: User; controller: ChatRoomController }) {
  const failed = pending.state === "failed";
  return (
    <article className={`px-4 py-1.5 ${failed ? "bg-red-50 dark:bg-red-950/40" : ""}`}>
      <Byline name={me.name} userId={me.id} mine>
        <span className={`text-xs ${failed ? "font-medium text-red-700 dark:text-red-400" : "text-neutral-500"}`}>
          {failed ? "Not sent" : "Sending…"}
        </span>
      </Byline>
      <p data-testid="message-text" className={`break-words whitespace-pre-wrap ${failed ? "" : "text-neutral-500"}`}>
        <LinkifiedText text={pending.text} />
      </p>
      {failed && (
        <div className="mt-1 flex flex-wrap items-center gap-2 text-sm">
          <span className="text-red-700 dark:text-red-400">{pending.failure?.message}</span>
          <button
            type="button"
            onClick={() => controller.retry(pending.commandId)}
            className="rounded border border-red-700 px-2 py-0.5 text-xs font-medium text-red-700 hover:bg-red-100 dark:border-red-400 dark:text-red-400 dark:hover:bg-red-950"
          >
            Retry
          </button>
          <button type="button" onClick={() => controller.discard(pending.commandId)} className={SMALL_BUTTON}>
            Discard
          </button>
        </div>
      )}
    </article>
  );
}
