import { readFile } from "node:fs/promises";
import path from "node:path";
import type { SwitchboardScenario } from "../scenarios";

/**
 * Complexity measured in this repo: lines of code of each transport's server
 * and client files (its own, and the shared bases it stands on), and the
 * failure modes each needed code for. A failure mode is listed with a phrase
 * of the comment or code that handles it; the generator finds that phrase in
 * the file (and its line), so a mode whose code is gone shows as not found.
 */

interface FileSet {
  own: string[];
  shared: string[];
}

const SERVER = "apps/realtime/src/transports";
const CLIENT = "packages/client/src";
/** The server bases both poll transports stand on. */
const POLL_SERVER_SHARED = [
  `${SERVER}/context.ts`,
  `${SERVER}/subscription-request.ts`,
  `${SERVER}/http-auth.ts`,
  `${SERVER}/http-commands.ts`,
  `${SERVER}/poll-answer.ts`,
  `${SERVER}/poll-io.ts`,
  `${SERVER}/etag.ts`,
];

export const TRANSPORT_FILES: Record<SwitchboardScenario, { server: FileSet; client: FileSet }> = {
  websocket: {
    server: { own: [`${SERVER}/websocket.ts`], shared: [`${SERVER}/context.ts`] },
    client: { own: [`${CLIENT}/transports/websocket.ts`], shared: [`${CLIENT}/transport.ts`] },
  },
  sse: {
    server: {
      own: [`${SERVER}/sse.ts`],
      shared: [`${SERVER}/context.ts`, `${SERVER}/subscription-request.ts`, `${SERVER}/http-auth.ts`, `${SERVER}/http-commands.ts`],
    },
    client: { own: [`${CLIENT}/transports/sse.ts`], shared: [`${CLIENT}/transport.ts`, `${CLIENT}/http.ts`] },
  },
  "long-polling": {
    server: {
      own: [`${SERVER}/long-polling.ts`],
      shared: POLL_SERVER_SHARED,
    },
    client: { own: [`${CLIENT}/transports/long-polling.ts`], shared: [`${CLIENT}/transport.ts`, `${CLIENT}/http.ts`, `${CLIENT}/transports/http-poll.ts`] },
  },
  polling: {
    server: {
      own: [`${SERVER}/polling.ts`],
      shared: POLL_SERVER_SHARED,
    },
    client: { own: [`${CLIENT}/transports/polling.ts`], shared: [`${CLIENT}/transport.ts`, `${CLIENT}/http.ts`, `${CLIENT}/transports/http-poll.ts`] },
  },
};

interface FailureModeSpec {
  transports: SwitchboardScenario[];
  file: string;
  mode: string;
  /** A phrase of the handling code or its comment, found in `file`. */
  evidence: string;
}

const ws: SwitchboardScenario[] = ["websocket"];
const sse: SwitchboardScenario[] = ["sse"];
const lp: SwitchboardScenario[] = ["long-polling"];
const poll: SwitchboardScenario[] = ["polling"];
const polls: SwitchboardScenario[] = ["long-polling", "polling"];

const FAILURE_MODES: FailureModeSpec[] = [
  { transports: ws, file: `${SERVER}/websocket.ts`, mode: "cross-site WebSocket hijacking (Origin checked on the upgrade)", evidence: "refuses cross-site WebSocket hijacking" },
  { transports: ws, file: `${SERVER}/websocket.ts`, mode: "too many sockets per user or address", evidence: "at the per-user or per-address connection cap" },
  { transports: ws, file: `${SERVER}/websocket.ts`, mode: "a race for the last connection place between two handshakes", evidence: "took the last place meanwhile" },
  { transports: ws, file: `${SERVER}/websocket.ts`, mode: "subscribe flood from one socket", evidence: "Too many subscribes from one socket" },
  { transports: ws, file: `${SERVER}/websocket.ts`, mode: "frames that break the protocol (unknown event, deep JSON, bad schema)", evidence: "Frames refused for breaking the protocol" },
  { transports: ws, file: `${SERVER}/websocket.ts`, mode: "slow consumer: bytes queued to one socket", evidence: "Bytes waiting to go to one socket" },
  { transports: ws, file: `${SERVER}/websocket.ts`, mode: "transport switched off: the handshake names where to go", evidence: "A switched-off WebSocket refuses the handshake" },
  { transports: ws, file: `${SERVER}/websocket.ts`, mode: "shutdown: every socket is told why it closes", evidence: "Tells every socket why it is going" },
  { transports: ws, file: `${CLIENT}/transports/websocket.ts`, mode: "socket.io's own reconnection fights the client's backoff and cursors", evidence: "socket.io's own reconnection is off" },
  { transports: ws, file: `${CLIENT}/transports/websocket.ts`, mode: "a refused handshake (typed error: unauthorized, unsupported version)", evidence: "A handshake the server refused carries the typed error" },
  { transports: ws, file: `${CLIENT}/transports/websocket.ts`, mode: "bounded backlog per subscribe: topics not yet live are asked again", evidence: "The server sends a bounded backlog per subscribe" },
  { transports: ws, file: `${CLIENT}/transports/websocket.ts`, mode: "a malformed frame from the server", evidence: "A malformed frame ends the connection" },
  { transports: sse, file: `${SERVER}/sse.ts`, mode: "a forbidden topic must be refused before the stream starts", evidence: "Refuse a forbidden topic with a plain 403" },
  { transports: sse, file: `${SERVER}/sse.ts`, mode: "proxy buffering and compression; idle proxies closing a quiet stream (heartbeat comment every 15 s)", evidence: "a comment line every 15 s keeps idle proxies" },
  { transports: sse, file: `${SERVER}/sse.ts`, mode: "resume after a drop (the frame id is the full cursor, Last-Event-ID)", evidence: "Last-Event-ID resumes" },
  { transports: sse, file: `${SERVER}/sse.ts`, mode: "slow consumer whose socket never drains", evidence: "A slow consumer's socket may never drain" },
  { transports: sse, file: `${SERVER}/sse.ts`, mode: "peer gone without a FIN (TCP keepalive)", evidence: "A peer that vanished without a FIN" },
  { transports: sse, file: `${SERVER}/sse.ts`, mode: "peer that stopped reading (two heartbeats stuck)", evidence: "A heartbeat that cannot leave the process twice in a row" },
  { transports: sse, file: `${SERVER}/sse.ts`, mode: "connection caps answered as plain HTTP before the stream starts", evidence: "Throws `rate_limited` at the connection caps" },
  { transports: sse, file: `${SERVER}/sse.ts`, mode: "the client left while its request was being authorized", evidence: "The client may have left while the request was being authorized" },
  { transports: lp, file: `${SERVER}/long-polling.ts`, mode: "connection caps (a held poll is a connection) checked before anything is held", evidence: "Throws `rate_limited` at the connection caps, before anything is held" },
  { transports: lp, file: `${SERVER}/long-polling.ts`, mode: "the client left while its request was being authorized", evidence: "The client may have left while the request was being authorized" },
  { transports: sse, file: `${CLIENT}/transports/sse.ts`, mode: "EventSource cannot send headers: a single-use ticket per connect", evidence: "each connect first gets a single-use ticket" },
  { transports: sse, file: `${CLIENT}/transports/sse.ts`, mode: "EventSource's own retry would replay a spent ticket", evidence: "Never let EventSource retry on its own" },
  { transports: sse, file: `${CLIENT}/transports/sse.ts`, mode: "a buffering proxy passes headers but holds frames (open = first frame)", evidence: "headers pass through a buffering" },
  { transports: sse, file: `${CLIENT}/transports/sse.ts`, mode: "EventSource hides the HTTP status of a refusal (diagnosed with one short poll)", evidence: "that EventSource hides" },
  { transports: sse, file: `${CLIENT}/transports/sse.ts`, mode: "no global EventSource (Node 20): a polyfill loaded on demand", evidence: "package, loaded on demand" },
  { transports: lp, file: `${SERVER}/long-polling.ts`, mode: "load-balancer idle timeouts (hold 25 s by default)", evidence: "default 25 s: under common load" },
  { transports: lp, file: `${SERVER}/long-polling.ts`, mode: "a request per event on a busy stream (linger to batch)", evidence: "Busy stream: wait for the events right behind this one" },
  { transports: lp, file: `${SERVER}/long-polling.ts`, mode: "an abandoned held request", evidence: "abandons is released immediately" },
  { transports: lp, file: `${CLIENT}/transports/long-polling.ts`, mode: "events published between two held requests", evidence: "nothing published while the next request is held is missed" },
  { transports: lp, file: `${CLIENT}/transports/long-polling.ts`, mode: "a held request that never answers", evidence: "Extra client-side patience beyond the hold time" },
  { transports: polls, file: `${SERVER}/poll-answer.ts`, mode: "a revocation arriving while an answer is written", evidence: "a revocation arriving" },
  { transports: polls, file: `${SERVER}/poll-answer.ts`, mode: "signals stamped within the millisecond of the answer", evidence: "but another may still" },
  { transports: polls, file: `${SERVER}/poll-answer.ts`, mode: "empty answers cost bandwidth (304 when unchanged)", evidence: "304 when empty and unchanged" },
  { transports: polls, file: `${CLIENT}/transports/http-poll.ts`, mode: "a topic change while a request is in flight", evidence: "A topic change aborts the request in flight" },
  { transports: polls, file: `${CLIENT}/transports/http-poll.ts`, mode: "late answers of superseded requests", evidence: "answers to superseded requests are dropped" },
  { transports: poll, file: `${SERVER}/polling.ts`, mode: "access revoked while the poll read the topic", evidence: "Access to a topic was revoked while this poll read it" },
  { transports: poll, file: `${SERVER}/polling.ts`, mode: "presence without a held connection (each poll is a heartbeat)", evidence: "Each poll is a presence heartbeat" },
  { transports: poll, file: `${SERVER}/polling.ts`, mode: "the operator slowing every poller down (advised interval)", evidence: "The pause the operator wants between polls" },
  { transports: poll, file: `${CLIENT}/transports/http-poll.ts`, mode: "an insane advised pause (only 100 ms – 60 s is taken)", evidence: "if the answer carries a sane one" },
];

export interface FileLines {
  file: string;
  /** Lines that are neither blank nor only a comment. */
  code: number;
  total: number;
}

export interface FailureMode {
  mode: string;
  file: string;
  /** 1-based line of the evidence; null when the phrase is no longer in the file. */
  line: number | null;
}

export interface TransportComplexity {
  scenario: SwitchboardScenario;
  server: { own: FileLines[]; shared: FileLines[]; ownCode: number; totalCode: number };
  client: { own: FileLines[]; shared: FileLines[]; ownCode: number; totalCode: number };
  failureModes: FailureMode[];
}

/** Code lines: not blank, not only a comment (line comments and block-comment lines). */
export function countLines(text: string): { code: number; total: number } {
  let code = 0;
  let inBlock = false;
  const lines = text.split("\n");
  for (const raw of lines) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes("*/")) inBlock = false;
      continue;
    }
    if (line === "" || line.startsWith("//")) continue;
    if (line.startsWith("/*")) {
      if (!line.includes("*/")) inBlock = true;
      continue;
    }
    code++;
  }
  return { code, total: lines.length - (text.endsWith("\n") ? 1 : 0) };
}

export async function measureComplexity(repoRoot: string): Promise<TransportComplexity[]> {
  const cache = new Map<string, string>();
  const read = async (file: string) => {
    if (!cache.has(file)) cache.set(file, await readFile(path.join(repoRoot, file), "utf8"));
    return cache.get(file)!;
  };
  const lines = async (files: string[]) => Promise.all(files.map(async (file) => ({ file, ...countLines(await read(file)) })));
  const sum = (entries: FileLines[]) => entries.reduce((total, entry) => total + entry.code, 0);
  const side = async (set: FileSet) => {
    const own = await lines(set.own);
    const shared = await lines(set.shared);
    return { own, shared, ownCode: sum(own), totalCode: sum(own) + sum(shared) };
  };
  const out: TransportComplexity[] = [];
  for (const [scenario, files] of Object.entries(TRANSPORT_FILES) as [SwitchboardScenario, (typeof TRANSPORT_FILES)[SwitchboardScenario]][]) {
    const failureModes: FailureMode[] = [];
    for (const spec of FAILURE_MODES.filter((entry) => entry.transports.includes(scenario))) {
      const text = await read(spec.file);
      const at = text.indexOf(spec.evidence);
      failureModes.push({ mode: spec.mode, file: spec.file, line: at < 0 ? null : text.slice(0, at).split("\n").length });
    }
    out.push({ scenario, server: await side(files.server), client: await side(files.client), failureModes });
  }
  return out;
}
