import type { EventEnvelope } from "@repo/protocol";

/** One JSON encoding (and its UTF-8 size) per event, however many streams it goes to. */
const encoded = new WeakMap<EventEnvelope, { json: string; bytes: number }>();

export function encodingOf(event: EventEnvelope): { json: string; bytes: number } {
  let encoding = encoded.get(event);
  if (encoding === undefined) {
    const json = JSON.stringify(event);
    encoding = { json, bytes: Buffer.byteLength(json) };
    encoded.set(event, encoding);
  }
  return encoding;
}
