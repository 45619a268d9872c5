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

/** Inputs whose arrow keys are not for typing: on them the keys steer (a transport radio must not change). */
const NOT_TYPED = new Set(["radio", "checkbox", "button", "submit", "reset", "range", "color", "file", "image"]);

/** Whether a key press belongs to a field the person is typing in (then it is not a turn). */
function typingIn(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement) return !NOT_TYPED.has(target.type);
  return target instanceof HTMLElement && (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT");
}

/**
 * Arrow keys and WASD steer while `active` (I play this game), anywhere on the page but in a
 * text field; the arrows then neither scroll the page nor move a focused radio group (caught
 * before the focused element sees them).
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
    window.addEventListener("keydown", onKey, { capture: true });
    return () => window.removeEventListener("keydown", onKey, { capture: true });
  }, [active, onSteer]);
}
