"use client";

import type { FlagChangesResponse } from "@repo/protocol";
import { rawFlag } from "../state/flag-document";

type Entry = FlagChangesResponse["changes"][number];

const json = (value: unknown) => (value === undefined ? "(not defined)" : JSON.stringify(value, null, 2));
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** The audit log, newest first: who, when, why, which flags, and each flag before and after. */
export function AuditLog({ changes }: { changes: FlagChangesResponse | null }) {
  return (
    <section aria-labelledby="audit-log" className="mt-10">
      <h2 id="audit-log" className="text-lg font-semibold">
        Audit log
      </h2>
      {!changes && <p className="mt-2 text-sm text-neutral-600">Loading…</p>}
      {changes?.changes.length === 0 && <p className="mt-2 text-sm text-neutral-600 dark:text-neutral-400">No change has been saved yet: the flags are the committed file&apos;s.</p>}
      <ol className="mt-3 space-y-3">
        {changes?.changes.map((entry) => (
          <AuditEntry key={entry.id} entry={entry} />
        ))}
      </ol>
    </section>
  );
}

function AuditEntry({ entry }: { entry: Entry }) {
  return (
    <li className="rounded-lg border border-neutral-200 p-3 text-sm dark:border-neutral-800">
      <article aria-label={`Change by ${entry.actor} at ${when(entry.at)}`}>
        <p>
          <time dateTime={entry.at} className="font-medium">
            {when(entry.at)}
          </time>{" "}
          · <span>{entry.actor}</span>
        </p>
        <p className="mt-1">
          <span className="font-medium">Why:</span> <span data-testid="audit-reason">{entry.reason}</span>
        </p>
        <p className="mt-1">
          <span className="font-medium">Flags changed:</span> <span className="font-mono">{entry.flagsChanged.join(", ") || "none"}</span>
        </p>
        {entry.flagsChanged.map((key) => (
          <details key={key} className="mt-2">
            <summary className="cursor-pointer font-mono">{key}: before / after</summary>
            <div className="mt-1 grid gap-2 md:grid-cols-2">
              <figure>
                <figcaption className="text-xs text-neutral-500">Before</figcaption>
                <pre className="max-h-60 overflow-auto rounded bg-red-50 p-2 font-mono text-xs dark:bg-red-950/40">{json(rawFlag(entry.before, key))}</pre>
              </figure>
              <figure>
                <figcaption className="text-xs text-neutral-500">After</figcaption>
                <pre className="max-h-60 overflow-auto rounded bg-green-50 p-2 font-mono text-xs dark:bg-green-950/40">{json(rawFlag(entry.after, key))}</pre>
              </figure>
            </div>
          </details>
        ))}
      </article>
    </li>
  );
}
