import type { RawData } from "ws";

/** A `ws` text frame's payload as a string (ws hands it over as a Buffer, or fragments of one). */
export function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
}
