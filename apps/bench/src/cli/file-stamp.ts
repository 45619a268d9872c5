/** A timestamp for result file names: ISO 8601 without colons or milliseconds (2026-12-01T20-12-27Z). */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/:/g, "-").replace(/\.\d+Z$/, "Z");
}
