"use client";

import type { Direction } from "@repo/game";
import { useEffect } from "react";

const KEYS: Readonly<Record<string, Direction>> = {
  ArrowUp: "up",
  ArrowDown: "down",
  ArrowLeft: "left",
  ArrowRight: "right",
  KeyW: "up",
  KeyS: "down",
  KeyA: "left",
  KeyD: "right",
};

/** Whether a key press belongs to a field the person is typing in (then it is not a turn). */
function typingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

/**
 * Arrow keys and WASD steer while `active` (I play this game), anywhere on the page but in a
 * text field; the arrows then do not scroll the page.
 */
export function useSteeringKeys(active: boolean, onSteer: (dir: Direction) => void): void {
  useEffect(() => {
    if (!active) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey || typingIn(event.target)) return;
      const dir = KEYS[event.code];
      if (!dir) return;
      event.preventDefault();
      if (!event.repeat) onSteer(dir);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [active, onSteer]);
}
