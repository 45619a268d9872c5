import type { RowResult } from "../run-row";
import type { Scenario, SwitchboardScenario } from "../scenarios";
import type { LabResults } from "./lab-results";

/** Names, number formats and the reference rows shared by the lab's renderers. */
export const TRANSPORT_NAMES: Record<SwitchboardScenario, string> = {
  polling: "Polling",
  "long-polling": "Long polling",
  websocket: "WebSockets",
  sse: "SSE",
};

export const finite = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
export const num = (value: unknown, digits = 1) => (finite(value) ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "–");
export const int = (value: unknown) => (finite(value) ? Math.round(value).toLocaleString("en-US") : "–");

/** The cost row a one-figure comparison uses: 1,000 subscribers if measured, else the largest count measured. */
export function referenceCost(results: LabResults, scenario: Scenario): RowResult | undefined {
  const rows = (results.cost ?? []).filter((entry) => entry.scenario === scenario && entry.row.ok);
  return (rows.find((entry) => entry.subscribers === 1000) ?? rows.at(-1))?.row;
}

export function referenceSize(results: LabResults): number | undefined {
  const sizes = [...new Set((results.cost ?? []).map((entry) => entry.subscribers))];
  return sizes.includes(1000) ? 1000 : sizes.at(-1);
}

