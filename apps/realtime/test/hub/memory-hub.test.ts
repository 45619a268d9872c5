import { describe } from "vitest";
import { createMemoryHub } from "../../src/hub/memory-hub";
import { hubConformance } from "./hub-conformance";

// The in-process hub against the conformance suite every hub passes (its bounds by bytes,
// idle eviction and sweeping are in memory-hub-retention.test.ts).
describe("memory hub", () => {
  hubConformance(async (retention, now) => createMemoryHub(retention, now));
});
