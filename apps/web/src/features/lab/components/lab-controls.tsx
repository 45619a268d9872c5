"use client";

import { LAB_LIMITS, type LabSettings } from "@repo/protocol";

export const PAYLOAD_SIZES = [16, 64, 256, 1024, 4096, 16384] as const;

function bytes(n: number): string {
  return n >= 1024 ? `${n / 1024} KiB` : `${n} B`;
}

/** Rate, payload size and burstiness; changes apply live while the stream runs. */
export function LabControls({
  settings,
  onChange,
  running,
  busy,
  onStart,
  onStop,
}: {
  settings: LabSettings;
  onChange: (next: LabSettings) => void;
  running: boolean;
  busy: boolean;
  onStart: () => void;
  onStop: () => void;
}) {
  const overBudget = settings.rate * settings.payloadBytes > LAB_LIMITS.bytesPerSecondMax;
  return (
    <form
      aria-label="Stream settings"
      className="flex flex-wrap items-end gap-4 rounded-lg border border-neutral-200 p-3 dark:border-neutral-800"
      onSubmit={(event) => {
        event.preventDefault();
        if (running) onStop();
        else onStart();
      }}
    >
      <label className="flex flex-col text-sm">
        <span>
          Rate: <output>{settings.rate}</output> msg/s
        </span>
        <input
          type="range"
          min={LAB_LIMITS.rateMin}
          max={LAB_LIMITS.rateMax}
          value={settings.rate}
          onChange={(event) => onChange({ ...settings, rate: Number(event.target.value) })}
        />
      </label>
      <label className="flex flex-col text-sm">
        <span>Payload size</span>
        <select
          value={settings.payloadBytes}
          onChange={(event) => onChange({ ...settings, payloadBytes: Number(event.target.value) })}
          className="rounded-md border border-neutral-300 bg-transparent px-2 py-1 dark:border-neutral-700"
        >
          {PAYLOAD_SIZES.map((size) => (
            <option key={size} value={size}>
              {bytes(size)}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-sm">
        <span>
          Burstiness: <output>{settings.burstiness.toFixed(1)}</output> (0 even, 1 all at once)
        </span>
        <input
          type="range"
          min={0}
          max={1}
          step={0.1}
          value={settings.burstiness}
          onChange={(event) => onChange({ ...settings, burstiness: Number(event.target.value) })}
        />
      </label>
      <button
        type="submit"
        disabled={busy || (!running && overBudget)}
        className="rounded-md bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50 dark:bg-neutral-100 dark:text-neutral-900"
      >
        {running ? "Stop stream" : "Start stream"}
      </button>
      {overBudget && (
        <p role="alert" className="text-sm text-red-600">
          {settings.rate} msg/s × {bytes(settings.payloadBytes)} is over the lab&apos;s budget of {bytes(LAB_LIMITS.bytesPerSecondMax)}/s.
        </p>
      )}
    </form>
  );
}
