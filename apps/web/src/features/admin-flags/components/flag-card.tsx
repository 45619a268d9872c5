"use client";

import type { FlagPreview } from "@repo/protocol";
import { useId, useState } from "react";
import { FieldError } from "@/components/field-error";
import { FlagShape } from "../state/flag-document";
import { fractionalOf, previewWords, rolloutWords, shares, withFractional, type Bucket } from "../state/rollout";

const INPUT =
  "rounded-md border border-neutral-300 bg-white px-2 py-1 text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 aria-invalid:border-red-600 dark:border-neutral-700 dark:bg-neutral-900";
const SMALL_BUTTON =
  "rounded-md border border-neutral-300 px-2.5 py-1 text-sm font-medium hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:border-neutral-700 dark:hover:bg-neutral-900";

export interface FlagCardProps {
  flagKey: string;
  /** The flag as in the draft. */
  flag: FlagShape;
  /** The flag as in force (to mark what the draft changed). */
  saved: FlagShape | undefined;
  preview: FlagPreview | undefined;
  connectedUsers: number | null;
  /** A validation rule the service named for this flag. */
  error: string | undefined;
  onChange: (flag: unknown) => void;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** One flag: what it is, how it rolls out, its edits, and the live preview of a change. */
export function FlagCard({ flagKey, flag, saved, preview, connectedUsers, error, onChange }: FlagCardProps) {
  const id = useId();
  const variants = Object.entries(flag.variants ?? {});
  const changed = saved === undefined || json(saved) !== json(flag);
  const fractional = fractionalOf(flag);
  const description = typeof flag.metadata?.description === "string" ? flag.metadata.description : null;

  return (
    <article aria-labelledby={`${id}-key`} aria-describedby={error ? `${id}-error` : undefined} className="rounded-lg border border-neutral-200 p-4 dark:border-neutral-800">
      <header className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h3 id={`${id}-key`} className="font-mono text-base font-semibold">
          {flagKey}
        </h3>
        <span className="text-sm text-neutral-600 dark:text-neutral-400">{flag.state === "DISABLED" ? "Disabled" : "Enabled"}</span>
        {changed && <span className="rounded bg-blue-100 px-1.5 text-xs font-medium text-blue-900 dark:bg-blue-950 dark:text-blue-200">edited</span>}
      </header>
      {description && <p className="mt-1 text-sm text-neutral-600 dark:text-neutral-400">{description}</p>}
      <p className="mt-2 text-sm">
        <span className="font-medium">Rollout:</span> <span data-testid="rollout">{rolloutWords(flag)}</span>
      </p>
      {preview && (
        <p role="status" className="mt-2 rounded-md bg-blue-50 px-3 py-1.5 text-sm text-blue-900 dark:bg-blue-950 dark:text-blue-200">
          Preview: {previewWords(preview, connectedUsers ?? 0)}
        </p>
      )}
      <FieldError id={`${id}-error`} error={error} className="mt-2" />

      <div className="mt-3 grid gap-4 md:grid-cols-2">
        <table className="text-sm">
          <caption className="text-left text-xs font-medium tracking-wide text-neutral-500 uppercase">Variants</caption>
          <thead className="sr-only">
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {variants.map(([name, value]) => (
              <tr key={name}>
                <th scope="row" className="pr-3 text-left font-mono font-normal">
                  {name}
                  {name === flag.defaultVariant && <span className="ml-1 text-xs text-neutral-500">(default)</span>}
                </th>
                <td className="font-mono text-neutral-700 dark:text-neutral-300">{JSON.stringify(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="text-sm">
          <p className="text-xs font-medium tracking-wide text-neutral-500 uppercase">Targeting</p>
          <pre className="mt-1 max-h-40 overflow-auto rounded bg-neutral-50 p-2 font-mono text-xs dark:bg-neutral-900">{flag.targeting === undefined ? "none" : json(flag.targeting)}</pre>
        </div>
      </div>

      <fieldset className="mt-4 space-y-3 border-t border-neutral-200 pt-3 dark:border-neutral-800">
        <legend className="sr-only">Edit {flagKey}</legend>
        <div className="flex flex-wrap items-center gap-4">
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              role="switch"
              checked={flag.state !== "DISABLED"}
              onChange={(event) => onChange({ ...flag, state: event.target.checked ? "ENABLED" : "DISABLED" })}
              className="size-4"
            />
            Enabled
          </label>
          <label className="flex items-center gap-2 text-sm">
            Default variant
            <select value={flag.defaultVariant ?? ""} onChange={(event) => onChange({ ...flag, defaultVariant: event.target.value })} className={INPUT}>
              {variants.map(([name]) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          {!fractional && variants.length > 1 && (
            <button type="button" className={SMALL_BUTTON} onClick={() => onChange(withFractional(flag, { bucketBy: undefined, buckets: [{ variant: flag.defaultVariant ?? variants[0]?.[0] ?? "", weight: 100 }] }))}>
              Roll out by percentage
            </button>
          )}
        </div>
        {fractional && <RolloutEditor flagKey={flagKey} variants={variants.map(([name]) => name)} buckets={fractional.buckets} onChange={(buckets) => onChange(withFractional(flag, { ...fractional, buckets }))} />}
        <JsonEditor key={json(flag)} flagKey={flagKey} flag={flag} onChange={onChange} />
      </fieldset>
    </article>
  );
}

/** A share per variant; a variant at 0 leaves the rollout. Weights are relative, shares shown. */
function RolloutEditor({ flagKey, variants, buckets, onChange }: { flagKey: string; variants: string[]; buckets: Bucket[]; onChange: (buckets: Bucket[]) => void }) {
  const weightOf = (variant: string) => buckets.find((bucket) => bucket.variant === variant)?.weight ?? 0;
  const all = variants.map((variant) => ({ variant, weight: weightOf(variant) }));
  const percent = shares(all);
  const total = all.reduce((sum, bucket) => sum + bucket.weight, 0);
  function set(variant: string, weight: number) {
    const next = all.map((bucket) => (bucket.variant === variant ? { variant, weight } : bucket)).filter((bucket) => bucket.weight > 0);
    onChange(next);
  }
  return (
    <div role="group" aria-label={`Percentage rollout of ${flagKey}`} className="flex flex-wrap gap-3">
      {all.map((bucket, i) => (
        <label key={bucket.variant} className="flex items-center gap-1.5 text-sm">
          <span className="font-mono">{bucket.variant}</span>
          <input
            type="number"
            inputMode="numeric"
            min={0}
            max={100}
            step={1}
            value={bucket.weight}
            onChange={(event) => set(bucket.variant, Math.max(0, Math.min(100, Math.round(Number(event.target.value) || 0))))}
            aria-label={`${bucket.variant} %`}
            className={`${INPUT} w-20`}
          />
          <span className="text-xs text-neutral-500" aria-hidden>
            {total === 100 ? "%" : `→ ${percent[i] ?? 0}%`}
          </span>
        </label>
      ))}
      {total !== 100 && <p className="w-full text-xs text-neutral-600 dark:text-neutral-400">Weights add up to {total}; they are relative, so the shares are as shown.</p>}
    </div>
  );
}

/** The flag as JSON: applied on demand, a parse error shown by the field. */
function JsonEditor({ flagKey, flag, onChange }: { flagKey: string; flag: FlagShape; onChange: (flag: unknown) => void }) {
  const id = useId();
  const [text, setText] = useState(() => json(flag));
  const [error, setError] = useState<string | null>(null);
  function apply() {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (failure) {
      setError(`Not JSON: ${failure instanceof Error ? failure.message : String(failure)}`);
      return;
    }
    const parsed = FlagShape.safeParse(value);
    if (!parsed.success) {
      setError("A flag is a JSON object (state, variants, defaultVariant, targeting).");
      return;
    }
    setError(null);
    onChange(value);
  }
  return (
    <details className="text-sm">
      <summary className="cursor-pointer font-medium">Edit {flagKey} as JSON</summary>
      <label htmlFor={`${id}-json`} className="mt-2 block text-xs text-neutral-600 dark:text-neutral-400">
        JSON of {flagKey} (flagd format)
      </label>
      <textarea
        id={`${id}-json`}
        value={text}
        onChange={(event) => setText(event.target.value)}
        rows={Math.min(20, text.split("\n").length + 1)}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={`${INPUT} mt-1 block w-full font-mono text-xs`}
      />
      <FieldError id={`${id}-error`} error={error} />
      <button type="button" onClick={apply} className={`${SMALL_BUTTON} mt-2`}>
        Apply JSON
      </button>
    </details>
  );
}
