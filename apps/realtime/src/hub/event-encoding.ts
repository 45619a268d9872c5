import type { EventEnvelope } from "@repo/protocol";

export interface EventEncoding {
  json: string;
  /** UTF-8 length of `json`. */
  bytes: number;
}

/**
 * One JSON encoding (and its UTF-8 size) per event, however many streams it goes to.
 * The memory hub encodes each event once at publish and keeps the encoding with the
 * retained event (and counts it); this map only lets transports find it from the event.
 * It holds nothing on its own: an entry goes when its event is dropped and unreferenced.
 */
const encoded = new WeakMap<EventEnvelope, EventEncoding>();

export function encodingOf(event: EventEnvelope): EventEncoding {
  let encoding = encoded.get(event);
  if (encoding === undefined) {
    const json = JSON.stringify(event);
    encoding = { json, bytes: Buffer.byteLength(json) };
    encoded.set(event, encoding);
  }
  return encoding;
}
