// What the explainer the project started from (docs: realtime-techniques.md) says of each
// transport, word for word from its comparison table and its "choosing" section, and what to
// watch for here. The live numbers sit beside these on the page; where the words are dated,
// the note says so (measured evidence: docs/transports.md).
import type { TransportName } from "@repo/protocol";

export interface TransportWords {
  communication: string;
  efficiency: string;
  latency: string;
  serverLoad: string;
  complexity: string;
  browserSupport: string;
  bestFor: string;
  /** The explainer's "choosing the right technology" line. */
  pickWhen: string;
  /** What this page shows about it, and where the explainer's word is dated. */
  here: string;
}

export const TRANSPORT_WORDS: Record<TransportName, TransportWords> = {
  polling: {
    communication: "Unidirectional",
    efficiency: "Low",
    latency: "High",
    serverLoad: "High",
    complexity: "Low",
    browserSupport: "Universal",
    bestFor: "Simple tasks",
    pickWhen: "Simple applications where real-time updates are not critical (e.g., periodic data refresh).",
    here: "Latency is bounded by the poll interval the service advises; at a low rate most answers are empty (here a bare 304).",
  },
  "long-polling": {
    communication: "Unidirectional",
    efficiency: "Medium",
    latency: "Low",
    serverLoad: "Medium",
    complexity: "Medium",
    browserSupport: "Universal",
    bestFor: "Notifications",
    pickWhen: "You need real-time updates but can't use WebSockets or SSE.",
    here: "One request per batch: at a high rate the service lingers briefly to batch, so requests per message fall well below one.",
  },
  sse: {
    communication: "Unidirectional",
    efficiency: "High",
    latency: "Very Low",
    serverLoad: "Low",
    complexity: "Low",
    browserSupport: "Limited",
    bestFor: "Event-driven updates",
    pickWhen: "Event-driven updates where the server pushes updates to the client (e.g., news feeds).",
    here: "Dated words: every current browser has EventSource, and SSE works over HTTP/2 (better there: no six-connection limit). Commands go as POSTs.",
  },
  websocket: {
    communication: "Bidirectional",
    efficiency: "High",
    latency: "Very Low",
    serverLoad: "Medium",
    complexity: "High",
    browserSupport: "Wide",
    bestFor: "Real-time apps",
    pickWhen: "High-frequency, bidirectional communication like chat apps or games.",
    here: "One socket for events and commands (acks); the cost is in the infrastructure: upgrades through proxies, reconnect storms.",
  },
};
