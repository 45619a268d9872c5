import { TRANSPORT_NAMES, type TransportName } from "@repo/protocol";

/** One flag flip: every client on `from`, then `transport.chat` set to `to`. */
export interface TransportPair {
  from: TransportName;
  to: TransportName;
}

export const pairName = (pair: TransportPair) => `${pair.from} → ${pair.to}`;

/** The 12 ordered pairs of distinct transports. */
export const ALL_PAIRS: readonly TransportPair[] = TRANSPORT_NAMES.flatMap((from) => TRANSPORT_NAMES.filter((to) => to !== from).map((to) => ({ from, to })));

/** What `--quick` runs: two pairs that between them start from and land on all four transports. */
export const QUICK_PAIRS: readonly TransportPair[] = [
  { from: "polling", to: "websocket" },
  { from: "sse", to: "long-polling" },
];

function transport(text: string, spec: string): TransportName | "*" {
  if (text === "*") return "*";
  const known = TRANSPORT_NAMES.find((name) => name === text);
  if (!known) throw new Error(`"${spec}": unknown transport "${text}" (known: ${TRANSPORT_NAMES.join(", ")}, or *)`);
  return known;
}

/**
 * `--pairs`: comma-separated `from:to`, either side may be `*`
 * (`websocket:*` is the three pairs leaving WebSocket). Returns the pairs
 * named, each once, in the order of ALL_PAIRS.
 */
export function parsePairs(text: string): TransportPair[] {
  const specs = text.split(",").map((spec) => spec.trim()).filter(Boolean);
  if (specs.length === 0) throw new Error("names no pair");
  const wanted = specs.map((spec) => {
    const sides = spec.split(":");
    if (sides.length !== 2) throw new Error(`"${spec}": expected from:to, e.g. websocket:sse`);
    return { from: transport(sides[0]!.trim(), spec), to: transport(sides[1]!.trim(), spec) };
  });
  const pairs = ALL_PAIRS.filter((pair) => wanted.some((w) => (w.from === "*" || w.from === pair.from) && (w.to === "*" || w.to === pair.to)));
  if (pairs.length === 0) throw new Error(`"${text}" matches no pair of two different transports`);
  return pairs;
}

/**
 * The pairs in an order where each one starts where the last one ended, as far
 * as possible (all 12 form such a circuit): a row then needs no extra flip to
 * put everyone on its `from` first. The same set always gives the same order.
 */
export function chainPairs(pairs: readonly TransportPair[]): TransportPair[] {
  let best: TransportPair[] = [];
  let bestBreaks = Number.POSITIVE_INFINITY;
  const used = new Array<boolean>(pairs.length).fill(false);
  const order: TransportPair[] = [];
  // Depth first over at most 12 pairs, at most 3 ways on from each transport: small enough to search whole.
  const extend = (breaks: number) => {
    if (breaks >= bestBreaks) return;
    if (order.length === pairs.length) {
      best = [...order];
      bestBreaks = breaks;
      return;
    }
    const at = order.at(-1)?.to;
    const chained = pairs.map((pair, i) => (!used[i] && pair.from === at ? i : -1)).filter((i) => i >= 0);
    // Nothing continues the chain: start again from the first pair left (one break).
    const candidates = chained.length > 0 ? chained : [used.indexOf(false)];
    const cost = chained.length > 0 || order.length === 0 ? 0 : 1;
    for (const i of candidates) {
      used[i] = true;
      order.push(pairs[i]!);
      extend(breaks + cost);
      order.pop();
      used[i] = false;
      if (bestBreaks === 0) return;
    }
  };
  extend(0);
  return best;
}
