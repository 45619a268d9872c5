// A flag's rollout in plain words ("sse 10% · default 90%"), and the edits of its fractional
// buckets. flagd's `fractional` takes relative weights, optionally after a bucketing expression:
// `{ "fractional": [ {"var": "email"}?, ["sse", 10], ["default", 90] ] }`.
import type { FlagPreview, FlagsPreviewResponse } from "@repo/protocol";
import type { FlagShape } from "./flag-document";

export interface Bucket {
  variant: string;
  weight: number;
}

export interface Fractional {
  /** The optional first element (what to bucket by); kept as is on edit. */
  bucketBy: unknown;
  buckets: Bucket[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The top-level `fractional` of a flag's targeting, or null (no targeting, or another rule). */
export function fractionalOf(flag: FlagShape): Fractional | null {
  const targeting = flag.targeting;
  if (!isRecord(targeting) || !Array.isArray(targeting.fractional)) return null;
  const list: unknown[] = targeting.fractional;
  const [first, ...rest] = list;
  const hasBucketBy = first !== undefined && !isBucket(first);
  const entries = hasBucketBy ? rest : list;
  if (!entries.every(isBucket)) return null;
  return { bucketBy: hasBucketBy ? first : undefined, buckets: entries.map(([variant, weight = 1]) => ({ variant, weight })) };
}

function isBucket(value: unknown): value is [string, number?] {
  return Array.isArray(value) && typeof value[0] === "string" && (value.length === 1 || (value.length === 2 && typeof value[1] === "number"));
}

/** The flag with its fractional buckets replaced (the bucketing expression kept). */
export function withFractional(flag: FlagShape, fractional: Fractional): FlagShape {
  const buckets = fractional.buckets.map((bucket) => [bucket.variant, bucket.weight]);
  return { ...flag, targeting: { fractional: fractional.bucketBy === undefined ? buckets : [fractional.bucketBy, ...buckets] } };
}

/** Each bucket's share in whole percent (weights are relative; rounding keeps the total at 100). */
export function shares(buckets: readonly Bucket[]): number[] {
  const total = buckets.reduce((sum, bucket) => sum + Math.max(0, bucket.weight), 0);
  if (total === 0) return buckets.map(() => 0);
  const exact = buckets.map((bucket) => (Math.max(0, bucket.weight) * 100) / total);
  const floored = exact.map(Math.floor);
  let left = 100 - floored.reduce((a, b) => a + b, 0);
  // Largest remainders first get the leftover points.
  const order = exact.map((value, i) => [value - Math.floor(value), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    floored[i] = (floored[i] ?? 0) + 1;
    left--;
  }
  return floored;
}

/** The rollout in words: "sse 10% · default 90%", "everyone: websocket", "off", or "targeting rule". */
export function rolloutWords(flag: FlagShape): string {
  if (flag.state === "DISABLED") return "off (the flag is disabled)";
  const fractional = fractionalOf(flag);
  if (fractional) {
    const percent = shares(fractional.buckets);
    return fractional.buckets.map((bucket, i) => `${bucket.variant} ${percent[i] ?? 0}%`).join(" · ");
  }
  if (flag.targeting !== undefined && !(isRecord(flag.targeting) && Object.keys(flag.targeting).length === 0)) {
    return `targeting rule; otherwise ${flag.defaultVariant ?? "the code default"}`;
  }
  return `everyone: ${flag.defaultVariant ?? "the code default"}`;
}

/** "12% of the 300 connected users would change: websocket → sse (36)" for one flag's preview. */
export function previewWords(preview: FlagPreview, connectedUsers: number): string {
  if (connectedUsers === 0) return "No users are connected right now: nobody would change at once.";
  const percent = Math.round((preview.affected * 100) / connectedUsers);
  const users = `${connectedUsers} connected user${connectedUsers === 1 ? "" : "s"}`;
  if (preview.affected === 0) return `None of the ${users} would change.`;
  const moves = preview.moves.map((move) => `${move.from} → ${move.to}${preview.moves.length > 1 ? ` (${move.users})` : ""}`).join(", ");
  return `${percent}% of the ${users} would change: ${moves}`;
}

/** The preview of every changed flag, in the order the page lists flags. */
export function previewByFlag(preview: FlagsPreviewResponse | null): Map<string, FlagPreview> {
  return new Map((preview?.flags ?? []).map((flag) => [flag.flag, flag]));
}
