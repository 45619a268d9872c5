/**
 * The attacker of a flood row, in a third process so its CPU is charged
 * neither to the server nor to the well-behaved clients' load generator.
 * Everything it does is bounded by the window's length and by FloodSizes,
 * and goes to 127.0.0.1 only, from its own loopback address.
 */
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { HTTP_PATHS, TICKER_TOPIC } from "@repo/protocol";
import type { AttackOutcome } from "./flood/outcome";
import { ATTACKER_ADDRESS, type FloodKind, type FloodSizes } from "./flood/kinds";
import { RawSocketIo } from "./flood/raw-socket-io";
import { serveApi } from "./ipc";
import { httpRequest } from "./loadgen/http";

const TIMEOUT_MS = 15_000;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64, localAddress: ATTACKER_ADDRESS });
let setup: { kind: FloodKind; url: string; sizes: FloodSizes } | undefined;
let guests: Array<{ token: string; userId: string }> = [];
let sockets: RawSocketIo[] = [];
/** Far-behind cursors, learned before the flood: each subscribe packet replays them. */
let floodCursors: string[] = [];
let outcome: AttackOutcome;

function freshOutcome(kind: FloodKind): AttackOutcome {
  return { kind, address: ATTACKER_ADDRESS, signIns: { attempted: 0, created: 0, byStatus: {} } };
}

function current() {
  if (!setup) throw new Error("signIn first");
  return setup;
}

const bump = (record: Record<string, number>, key: string, by = 1) => (record[key] = (record[key] ?? 0) + by);

async function signInGuest(url: string, name: string): Promise<{ status: number; token?: string; userId?: string; retryAfter?: string }> {
  const answer = await httpRequest(`${url}${HTTP_PATHS.session}`, { method: "POST", body: JSON.stringify({ name }), agent, timeoutMs: TIMEOUT_MS });
  const retryAfter = answer.headers["retry-after"];
  if (answer.status !== 201) return { status: answer.status, retryAfter: typeof retryAfter === "string" ? retryAfter : undefined };
  const body = JSON.parse(answer.body) as { token: string; user: { id: string } };
  return { status: answer.status, token: body.token, userId: body.user.id };
}

/** A cursor `topic@epoch.offset` moved back to `offset` (the oldest events the attacker can ask for). */
function behind(cursor: string, back: number | "start"): string {
  const match = /^([^@]+)@([A-Za-z0-9_-]+)\.(\d+)$/.exec(cursor);
  if (!match) return cursor;
  const offset = back === "start" ? 0 : Math.max(0, Number(match[3]) - back);
  return `${match[1]}@${match[2]}.${offset}`;
}

/** Several workers, each sending its next request once the previous one is answered, until the deadline or the cap. */
async function requestLoop(send: () => Promise<{ status: number; headers: http.IncomingHttpHeaders }>, sizes: FloodSizes, durationMs: number) {
  const requests = { sent: 0, byStatus: {} as Record<string, number>, errors: 0, retryAfterS: [] as number[], achievedPerS: 0 };
  const startedAt = Date.now();
  const deadline = startedAt + durationMs;
  const worker = async () => {
    while (Date.now() < deadline && requests.sent < sizes.maxRequests) {
      requests.sent++;
      try {
        const answer = await send();
        bump(requests.byStatus, String(answer.status));
        const retryAfter = Number(answer.headers["retry-after"]);
        if (answer.status === 429 && Number.isFinite(retryAfter) && requests.retryAfterS.length < 1000) requests.retryAfterS.push(retryAfter);
      } catch {
        requests.errors++;
        await sleep(10);
      }
    }
  };
  await Promise.all(Array.from({ length: sizes.concurrency }, worker));
  requests.achievedPerS = requests.sent / ((Date.now() - startedAt) / 1000);
  return requests;
}

const api = {
  /** Signs in the guests the attack needs (sockets for a subscribe flood, one for a poll flood, none for a session flood). */
  async signIn(args: { kind: FloodKind; url: string; sizes: FloodSizes }) {
    setup = args;
    outcome = freshOutcome(args.kind);
    guests = [];
    const wanted = args.kind === "subscribe" ? args.sizes.sockets : args.kind === "poll" ? 1 : 0;
    for (let i = 0; i < wanted; i++) {
      outcome.signIns.attempted++;
      const answer = await signInGuest(args.url, `attacker-${i}`);
      bump(outcome.signIns.byStatus, String(answer.status));
      if (answer.token && answer.userId) {
        outcome.signIns.created++;
        guests.push({ token: answer.token, userId: answer.userId });
      }
    }
    return { userIds: guests.map((guest) => guest.userId), signIns: outcome.signIns };
  },

  /** Connects the attacker's sockets (subscribe flood) or learns the ticker's cursor (poll flood); run after the bench filled the topics. */
  async arm() {
    const { kind, url, sizes } = current();
    floodCursors = [];
    if (kind === "subscribe") {
      const tally = (outcome.sockets = { opened: 0, refusedAtConnect: {}, packetsSent: 0, acksOk: 0, acksRefused: {}, events: 0, resets: 0, bytesRead: 0, closing: {}, closedByServer: 0, closeCodes: {}, stillOpen: 0 });
      for (const guest of guests) {
        try {
          const socket = await RawSocketIo.connect(url, guest.token, { localAddress: ATTACKER_ADDRESS, timeoutMs: TIMEOUT_MS });
          tally.opened++;
          const ticker = await socket.subscribeAndWait(`${TICKER_TOPIC}@`, TIMEOUT_MS);
          const echo = await socket.subscribeAndWait(`echo:${guest.userId}@`, TIMEOUT_MS);
          if (!ticker.ok || !echo.ok) throw new Error(`learning heads refused: ${JSON.stringify(ticker.ok ? echo : ticker)}`);
          sockets.push(socket);
          floodCursors.push(`${behind(ticker.cursor, sizes.tickerBacklog)},${behind(echo.cursor, "start")}`);
        } catch (error) {
          bump(tally.refusedAtConnect, (error as Error).message);
        }
      }
      return { sockets: sockets.length, cursors: floodCursors };
    }
    if (kind === "poll") {
      const guest = guests[0];
      if (!guest) return { sockets: 0, cursors: [] };
      const answer = await httpRequest(`${url}${HTTP_PATHS.poll}?cursor=${encodeURIComponent(`${TICKER_TOPIC}@`)}`, {
        headers: { authorization: `Bearer ${guest.token}` },
        agent,
        timeoutMs: TIMEOUT_MS,
      });
      if (answer.status !== 200) throw new Error(`poll flood: learning the ticker's head answered ${answer.status}`);
      floodCursors = [behind((JSON.parse(answer.body) as { cursor: string }).cursor, "start")];
    }
    return { sockets: 0, cursors: floodCursors };
  },

  /** The attack itself, for `durationMs`; then (subscribe flood) reads what it can for `drainMs` to learn how each socket ended. */
  async flood(args: { durationMs: number; drainMs: number }) {
    const { kind, url, sizes } = current();
    const deadline = Date.now() + args.durationMs;
    if (kind === "session") {
      let n = 0;
      outcome.requests = await requestLoop(
        () => httpRequest(`${url}${HTTP_PATHS.session}`, { method: "POST", body: JSON.stringify({ name: `flood-${n++ % 1000}` }), agent, timeoutMs: TIMEOUT_MS }),
        sizes,
        args.durationMs,
      );
    } else if (kind === "poll") {
      const guest = guests[0];
      const cursor = floodCursors[0];
      if (guest && cursor) {
        const target = `${url}${HTTP_PATHS.poll}?cursor=${encodeURIComponent(cursor)}`;
        outcome.requests = await requestLoop(
          () => httpRequest(target, { headers: { authorization: `Bearer ${guest.token}` }, agent, timeoutMs: TIMEOUT_MS }),
          sizes,
          args.durationMs,
        );
      }
    } else {
      const tally = outcome.sockets!;
      for (const socket of sockets) socket.pause();
      // Bursts of back-to-back subscribe packets from far behind, never reading the answers.
      while (Date.now() < deadline && tally.packetsSent < sizes.packetsPerSocket * sockets.length) {
        for (const [index, socket] of sockets.entries()) {
          const sentHere = Math.floor(tally.packetsSent / sockets.length);
          const count = Math.min(sizes.burst, sizes.packetsPerSocket - sentHere);
          for (let i = 0; i < count && socket.open; i++) {
            socket.subscribe(floodCursors[index]!);
            tally.packetsSent++;
          }
        }
        await sleep(Math.min(sizes.burstGapMs, Math.max(0, deadline - Date.now())));
      }
      await sleep(Math.max(0, deadline - Date.now()));
      for (const socket of sockets) socket.resume();
      await sleep(args.drainMs);
      for (const socket of sockets) {
        tally.acksOk += socket.tally.acksOk;
        tally.events += socket.tally.events;
        tally.resets += socket.tally.resets;
        tally.bytesRead += socket.tally.bytesRead;
        for (const [code, count] of Object.entries(socket.tally.acksRefused)) bump(tally.acksRefused, code, count);
        for (const [reason, count] of Object.entries(socket.tally.closing)) bump(tally.closing, reason, count);
        if (socket.closed) {
          tally.closedByServer++;
          bump(tally.closeCodes, String(socket.closed.code));
        } else tally.stillOpen++;
        socket.terminate();
      }
      // The two acks per socket that learned the heads are not part of the flood.
      tally.acksOk = Math.max(0, tally.acksOk - 2 * sockets.length);
      sockets = [];
    }
    return outcome;
  },
};

export type AttackerApi = typeof api;

serveApi(api);
process.on("SIGTERM", () => {
  for (const socket of sockets) socket.terminate();
  agent.destroy();
  process.exit(0);
});
