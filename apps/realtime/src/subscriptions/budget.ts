/** How much one answer or one subscribe may still send, in events and bytes. */
export interface Budget {
  /** Takes one event of `bytes`; false (taking nothing) once either limit would be passed. */
  take(bytes: number): boolean;
}

/** A budget always admits its first event, so an event larger than the byte limit still goes out alone. */
export function createBudget(limits: { events: number; bytes: number }): Budget {
  let events = 0;
  let bytes = 0;
  return {
    take(size) {
      if (events >= limits.events || (events > 0 && bytes + size > limits.bytes)) return false;
      events++;
      bytes += size;
      return true;
    },
  };
}
