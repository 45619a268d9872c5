/** Every row the bench can run: Switchboard's four transports and the bare baselines. */
export const SWITCHBOARD_SCENARIOS = ["websocket", "sse", "long-polling", "polling"] as const;
export const BARE_SCENARIOS = ["bare-socketio", "bare-ws", "bare-sse", "bare-long-poll", "bare-poll"] as const;
export type SwitchboardScenario = (typeof SWITCHBOARD_SCENARIOS)[number];
export type BareScenario = (typeof BARE_SCENARIOS)[number];
export type Scenario = SwitchboardScenario | BareScenario;
export const ALL_SCENARIOS: readonly Scenario[] = [...SWITCHBOARD_SCENARIOS, ...BARE_SCENARIOS];

/** Which server process a row runs against. */
export type ServerKind = "switchboard" | "bare-socketio" | "bare-ws" | "bare-http";

export function serverKindOf(scenario: Scenario): ServerKind {
  switch (scenario) {
    case "websocket":
    case "sse":
    case "long-polling":
    case "polling":
      return "switchboard";
    case "bare-socketio":
      return "bare-socketio";
    case "bare-ws":
      return "bare-ws";
    case "bare-sse":
    case "bare-long-poll":
    case "bare-poll":
      return "bare-http";
  }
}

/** The bare baseline each Switchboard transport is compared with. */
export const BASELINE_OF: Record<SwitchboardScenario, BareScenario> = {
  websocket: "bare-socketio",
  sse: "bare-sse",
  "long-polling": "bare-long-poll",
  polling: "bare-poll",
};

/** Baselines shown beside a transport without a ratio of their own (bare ws next to socket.io). */
const EXTRA_BASELINES: Partial<Record<SwitchboardScenario, BareScenario[]>> = {
  websocket: ["bare-ws"],
  "long-polling": ["bare-poll"],
};

export const isSwitchboard = (scenario: Scenario): scenario is SwitchboardScenario =>
  (SWITCHBOARD_SCENARIOS as readonly string[]).includes(scenario);

export function isScenario(name: string): name is Scenario {
  return (ALL_SCENARIOS as readonly string[]).includes(name);
}

/** Transports whose idle connections are held open on the server (short polling holds none). */
export function holdsIdleConnections(scenario: Scenario): boolean {
  return scenario !== "polling" && scenario !== "bare-poll";
}

export function isPollLike(scenario: Scenario): boolean {
  return scenario === "polling" || scenario === "bare-poll" || scenario === "long-polling" || scenario === "bare-long-poll";
}

/**
 * The rows to run, in a stable paired order (each transport right after its
 * baseline). A Switchboard transport named alone brings its baselines along
 * unless `withBaselines` is false; bare rows may also be named directly.
 */
export function planRows(requested: readonly Scenario[], withBaselines: boolean): Scenario[] {
  const wanted = new Set<Scenario>(requested);
  if (withBaselines) {
    for (const scenario of requested) {
      if (!isSwitchboard(scenario)) continue;
      wanted.add(BASELINE_OF[scenario]);
      for (const extra of EXTRA_BASELINES[scenario] ?? []) wanted.add(extra);
    }
  }
  const order: Scenario[] = [
    "bare-socketio",
    "bare-ws",
    "websocket",
    "bare-sse",
    "sse",
    "bare-long-poll",
    "long-polling",
    "bare-poll",
    "polling",
  ];
  return order.filter((scenario) => wanted.has(scenario));
}
