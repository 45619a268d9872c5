import type { SwitchboardScenario } from "../scenarios";
import { h2Verdict } from "./h2-doc";
import type { LabResults } from "./lab-results";
import { finite, int, num, referenceCost, referenceSize, TRANSPORT_NAMES } from "./format";

/**
 * The explainer's comparison table (its words, typed here as it printed
 * them) and, per row, what this run measured and whether the word holds.
 * Ordinal words are checked against the measured order: wherever the
 * explainer ranks one transport above another, the figures must agree.
 */

type Words = Record<SwitchboardScenario, string>;

export interface ExplainerRow {
  feature: string;
  words: Words;
  measured: Record<SwitchboardScenario, string>;
  verdict: string;
}

const TRANSPORTS: SwitchboardScenario[] = ["polling", "long-polling", "websocket", "sse"];

const RANK: Record<string, number> = { Low: 1, Medium: 2, High: 3, "Very Low": 0 };

/**
 * Where the explainer puts A above B ("better" per `better`), does the
 * measurement agree? Returns the disagreements, in words.
 */
export function disagreements(
  words: Words,
  measured: Partial<Record<SwitchboardScenario, number>>,
  /** The explainer's word order for "better" and the measured one: lower value better? */
  sense: { betterWord: "higher" | "lower"; betterValue: "higher" | "lower" },
  describe: (value: number) => string,
): string[] {
  const out: string[] = [];
  for (const a of TRANSPORTS) {
    for (const b of TRANSPORTS) {
      const ra = RANK[words[a]];
      const rb = RANK[words[b]];
      const va = measured[a];
      const vb = measured[b];
      if (ra === undefined || rb === undefined || !finite(va) || !finite(vb)) continue;
      const wordBetter = sense.betterWord === "higher" ? ra > rb : ra < rb;
      if (!wordBetter) continue;
      const valueBetter = sense.betterValue === "higher" ? va > vb : va < vb;
      if (!valueBetter) out.push(`the explainer rates ${TRANSPORT_NAMES[a]} (${words[a]}) above ${TRANSPORT_NAMES[b]} (${words[b]}), but ${TRANSPORT_NAMES[a]} measured ${describe(va)} against ${describe(vb)}`);
    }
  }
  return out;
}

function verdictOf(found: string[], holds: string): string {
  return found.length === 0 ? `**The order holds here:** ${holds}` : `**Not borne out here:** ${found.join("; ")}.`;
}

function pick(results: LabResults, value: (scenario: SwitchboardScenario) => number | undefined): Partial<Record<SwitchboardScenario, number>> {
  return Object.fromEntries(TRANSPORTS.map((scenario) => [scenario, value(scenario)]));
}

export function explainerRows(results: LabResults): ExplainerRow[] {
  const size = referenceSize(results);
  const at = size === undefined ? "" : ` (${int(size)} subscribers, ${num(results.options.costRate, 1)} msg/s)`;
  const cost = (scenario: SwitchboardScenario) => referenceCost(results, scenario);
  const complexity = (scenario: SwitchboardScenario) => results.complexity.find((entry) => entry.scenario === scenario);
  const ceiling = (scenario: SwitchboardScenario) => results.ramp?.find((entry) => entry.scenario === scenario)?.ceilingPerSec;
  const idle = (scenario: SwitchboardScenario) => results.idle?.find((entry) => entry.scenario === scenario)?.idle;
  const each = (cell: (scenario: SwitchboardScenario) => string) => Object.fromEntries(TRANSPORTS.map((scenario) => [scenario, cell(scenario)])) as Record<SwitchboardScenario, string>;
  const emptyPoll = cost("polling")?.emptyPoll;

  const efficiencyWords: Words = { polling: "Low", "long-polling": "Medium", websocket: "High", sse: "High" };
  const latencyWords: Words = { polling: "High", "long-polling": "Low", websocket: "Very Low", sse: "Very Low" };
  const loadWords: Words = { polling: "High", "long-polling": "Medium", websocket: "Medium", sse: "Low" };
  const complexityWords: Words = { polling: "Low", "long-polling": "Medium", websocket: "High", sse: "Low" };

  const bytes = pick(results, (scenario) => cost(scenario)?.bytesPerMsg);
  const p50 = pick(results, (scenario) => cost(scenario)?.latency.p50);
  const cpu = pick(results, (scenario) => cost(scenario)?.cpuMsPer1k);
  const lines = pick(results, (scenario) => {
    const entry = complexity(scenario);
    return entry ? entry.server.totalCode + entry.client.totalCode : undefined;
  });

  return [
    {
      feature: "Communication",
      words: { polling: "Unidirectional", "long-polling": "Unidirectional", websocket: "Bidirectional", sse: "Unidirectional" },
      measured: each((scenario) => `${num(cost(scenario)?.upBytesPerMsg, 0)} B up per delivery`),
      verdict:
        `**Right about the wire, wrong about what an app gets.** Only the WebSocket carries client→server messages on the same connection. But every Switchboard transport is two-way for the application: the three HTTP transports send commands as \`POST /v1/commands\` (\`apps/realtime/src/transports/http-commands.ts\`, ${int(results.complexity.find((entry) => entry.scenario === "sse")?.server.shared.find((file) => file.file.endsWith("http-commands.ts"))?.code)} lines) and the SDK picks the path per transport. ` +
        `The upstream bytes per delivery${at} show what listening costs in the other direction: the pollers pay their requests, SSE and WebSocket pay almost nothing while they only listen.`,
    },
    {
      feature: "Efficiency",
      words: efficiencyWords,
      measured: each((scenario) => `${num(cost(scenario)?.bytesPerMsg, 0)} B/delivery, ${num(cost(scenario)?.requestsPerMsg, 2)} req/delivery`),
      verdict:
        verdictOf(
          disagreements(efficiencyWords, bytes, { betterWord: "higher", betterValue: "lower" }, (value) => `${num(value, 0)} B per delivery`),
          `bytes on the wire per delivery${at} rank the transports as the explainer's words do.`,
        ) +
        ` Bytes per delivery count headers, framing and empty answers${at}.` +
        (emptyPoll ? ` An empty short poll costs ${int(emptyPoll.responseBytes)} B down (a ${emptyPoll.status}) and ${int(emptyPoll.requestBytes)} B up (with its Authorization header): efficiency depends on the message rate against the poll interval, which one word cannot say.` : ""),
    },
    {
      feature: "Latency",
      words: latencyWords,
      measured: each((scenario) => `p50 ${num(cost(scenario)?.latency.p50)} ms, p99 ${num(cost(scenario)?.latency.p99)} ms`),
      verdict:
        verdictOf(
          disagreements(latencyWords, p50, { betterWord: "lower", betterValue: "lower" }, (value) => `a p50 of ${num(value)} ms`),
          `median latency${at} ranks them as the explainer does.`,
        ) +
        ` Short polling's latency is set by its interval (${int(results.options.pollIntervalMs)} ms here: about half of it on average), not by the server; long polling's is one round trip after the event, plus a linger when events come close together.`,
    },
    {
      feature: "Server load",
      words: loadWords,
      measured: each((scenario) => `${num(cost(scenario)?.cpuMsPer1k)} CPU ms/1k deliveries; ${idle(scenario) ? `${num(idle(scenario)!.heapUsedPerConnKiB, 1)} KiB heap/idle conn` : scenario === "polling" ? "holds no connection" : "idle: –"}`),
      verdict:
        verdictOf(
          disagreements(loadWords, cpu, { betterWord: "lower", betterValue: "lower" }, (value) => `${num(value)} CPU ms per 1,000 deliveries`),
          `server CPU per delivery${at} ranks them as the explainer does.`,
        ) + " Memory per idle connection is the other half of server load: see the idle section (short polling holds nothing between polls, the held transports hold a socket and a subscriber each).",
    },
    {
      feature: "Complexity",
      words: complexityWords,
      measured: each((scenario) => `${int(lines[scenario])} lines (server + client), ${int(complexity(scenario)?.failureModes.length)} failure modes`),
      verdict: verdictOf(
        disagreements(complexityWords, lines, { betterWord: "lower", betterValue: "lower" }, (value) => `${int(value)} lines`),
        "lines of code in this repository rank them as the explainer does.",
      ) + " The WebSocket's lines exclude socket.io, which does its framing, heartbeats, handshake and acks; the HTTP transports share request parsing, auth, commands and (the pollers) the poll answer, counted in full for each. SSE is \"simple\" only until it has to survive proxies and EventSource's limits: no request headers (hence tickets), a retry that replays a spent URL, a status it hides, and buffering proxies that pass headers but hold frames — see the failure modes below.",
    },
    {
      feature: "Browser support",
      words: { polling: "Universal", "long-polling": "Universal", websocket: "Wide", sse: "Limited" },
      measured: each((scenario) => (scenario === "sse" ? "EventSource in every current browser" : scenario === "websocket" ? "every current browser" : "any HTTP client")),
      verdict:
        "**\"Limited\" for SSE is wrong today.** `EventSource` has shipped in every current browser engine for years — Chromium (Chrome 6, and Edge since 79), Firefox 6 and Safari 5 — and MDN lists it as Baseline \"widely available\"; only Internet Explorer and pre-Chromium Edge, both retired, never had it. This repository's own Playwright suite delivers chat over the browser's native `EventSource` in Chromium (`apps/web/e2e/chat.spec.ts`, all four transports). " +
        "**\"SSE only works over HTTP/1.1\" is wrong as well:** an event stream is an ordinary HTTP response, and over HTTP/2 each `EventSource` is one stream on a shared, multiplexed connection — which removes the real HTTP/1.1 problem, the browser's six connections per origin that a seventh SSE tab starves behind. " + h2Verdict(results),
    },
    {
      feature: "Best for",
      words: { polling: "Simple tasks", "long-polling": "Notifications", websocket: "Real-time apps", sse: "Event-driven updates" },
      measured: each((scenario) => `ceiling ${ceiling(scenario) === null ? "none" : ceiling(scenario) === undefined ? "–" : `${int(ceiling(scenario))} deliv/s`} at p99 ≤ ${results.options.p99BoundMs} ms`),
      verdict:
        "Broadly fair, with figures: short polling when seconds of delay are fine and no connection may be held; long polling where streams are cut (proxies, old middleboxes) and events are not dense; SSE for server→client feeds at any rate the ramp reached, with commands over plain POST; the WebSocket when the client talks as much as it listens (games, collaborative editing) or needs the lowest per-message overhead. The ceilings are the fan-out ramp's, on one core.",
    },
  ];
}
