import type { RateWindow } from "./rate-limiter";

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const WINDOW = /^(\d+)\s*\/\s*(\d*)\s*([smhd])$/;

/**
 * An operator's rate as text: comma-separated `<points>/<window>`, the window a
 * count (default 1) and a unit s, m, h or d. "10/1m,100/1d" is 10 a minute and
 * 100 a day; "40/s" is 40 a second; "off" is no limit. Throws on anything else.
 */
export function parseRateSpec(text: string): RateWindow[] {
  const spec = text.trim().toLowerCase();
  if (spec === "off") return [];
  return spec.split(",").map((part) => {
    const match = WINDOW.exec(part.trim());
    if (!match) throw new Error(`"${part.trim()}" is not <points>/<window> (e.g. 10/1m, 40/s, 100/1d)`);
    const points = Number(match[1]);
    const count = match[2] === "" ? 1 : Number(match[2]);
    if (points < 1 || count < 1) throw new Error(`"${part.trim()}" needs at least 1 point per window of at least 1`);
    return { points, windowSeconds: count * UNIT_SECONDS[match[3] as keyof typeof UNIT_SECONDS] };
  });
}
