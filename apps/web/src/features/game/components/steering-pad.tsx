"use client";

import type { Direction } from "@repo/game";

const BUTTON =
  "flex size-12 items-center justify-center rounded-md border border-neutral-300 bg-white text-lg font-semibold hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 active:bg-neutral-200 dark:border-neutral-700 dark:bg-neutral-900 dark:hover:bg-neutral-800";

const PAD: ReadonlyArray<{ dir: Direction; glyph: string; area: string }> = [
  { dir: "up", glyph: "↑", area: "col-start-2 row-start-1" },
  { dir: "left", glyph: "←", area: "col-start-1 row-start-2" },
  { dir: "right", glyph: "→", area: "col-start-3 row-start-2" },
  { dir: "down", glyph: "↓", area: "col-start-2 row-start-3" },
];

/** On-screen steering for touch screens (and anyone without the keys): four buttons in a cross. */
export function SteeringPad({ onSteer }: { onSteer: (dir: Direction) => void }) {
  return (
    <div role="group" aria-label="Steering" className="grid w-fit grid-cols-3 grid-rows-3 gap-1.5">
      {PAD.map(({ dir, glyph, area }) => (
        <button
          key={dir}
          type="button"
          aria-label={`Steer ${dir}`}
          // Pointer down, not click: a turn should not wait for the finger to lift.
          onPointerDown={(event) => {
            event.preventDefault();
            onSteer(dir);
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter" || event.key === " ") {
              event.preventDefault();
              onSteer(dir);
            }
          }}
          className={`${BUTTON} ${area}`}
        >
          <span aria-hidden="true">{glyph}</span>
        </button>
      ))}
    </div>
  );
}
