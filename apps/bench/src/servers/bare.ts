import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Server as SocketIoServer } from "socket.io";
import { WebSocketServer, WebSocket } from "ws";
import { BENCH_EVENT_TYPE, BENCH_TOPIC, type BenchPayload, type Envelope } from "../message";
import type { BenchServer } from "./types";

/**
 * Bare baselines: the least code that delivers the same messages over each
 * technique. They carry the same envelope JSON Switchboard sends (topic,
 * offset, epoch, type, payload, ts), so a ratio compares the transports, not
 * the message shape. No auth, no origin policy, no metrics, no resume.
 */

const epoch = randomBytes(6).toString("base64url");

function envelopeOf(seq: number, payload: BenchPayload): Envelope {
  return { topic: BENCH_TOPIC, offset: seq, epoch, type: BENCH_EVENT_TYPE, payload, ts: Date.now() };
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function connectionsOf(server: http.Server): () => Promise<number> {
  return () => new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

function closeHttp(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** socket.io, websocket transport only, `io.emit` to everyone (encoded once per broadcast). */
export async function startBareSocketIo(): Promise<BenchServer> {
  const server = http.createServer();
  const io = new SocketIoServer(server, { transports: ["websocket"], serveClient: false });
  const url = await listen(server);
  return {
    url,
    publish: (seq, payload) => void io.emit("event", envelopeOf(seq, payload)),
    connections: connectionsOf(server),
    async close() {
      io.disconnectSockets(true);
      io.engine.close();
      await closeHttp(server);
    },
  };
}

/** `ws`: one JSON.stringify per message, `send` to every open client. */
export async function startBareWs(): Promise<BenchServer> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const url = await listen(server);
  return {
    url,
    publish(seq, payload) {
      const data = JSON.stringify(envelopeOf(seq, payload));
      for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(data);
    },
    connections: connectionsOf(server),
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await closeHttp(server);
    },
  };
}

const RETAINED = 10_000;
const LONG_POLL_TIMEOUT_MS = 25_000;

/**
 * Plain Node http: `GET /sse` (writes `data: <json>\n\n` to each response),
 * `GET /poll?after=seq` (messages after seq; ETag is the last seq, 304 when
 * nothing changed) and `GET /long-poll?after=seq` (the same, held until a
 * message arrives or 25 s pass). No `after`: answers at once with the head.
 */
export async function startBareHttp(): Promise<BenchServer> {
  const log: Array<{ seq: number; json: string }> = [];
  let head = 0;
  const streams = new Set<http.ServerResponse>();
  const waiting = new Set<{ after: number; res: http.ServerResponse; timer: NodeJS.Timeout }>();

  function answer(res: http.ServerResponse, after: number, ifNoneMatch: string | undefined) {
    // Sequence numbers are contiguous, so the first message after `after` is found by index.
    const first = log[0]?.seq ?? head + 1;
    const json = log.slice(Math.max(0, after - first + 1)).map((entry) => entry.json);
    const last = json.length > 0 ? head : after;
    const etag = `"${last}"`;
    if (json.length === 0 && ifNoneMatch === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    const body = `{"messages":[${json.join(",")}],"last":${last}}`;
    res.writeHead(200, { "content-type": "application/json", etag, "content-length": Buffer.byteLength(body) });
    res.end(body);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://bench");
    const afterText = url.searchParams.get("after");
    const after = afterText === null ? head : Number(afterText);
    if (url.pathname === "/sse") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(":\n\n");
      streams.add(res);
      res.on("close", () => streams.delete(res));
    } else if (url.pathname === "/poll") {
      answer(res, after, req.headers["if-none-match"]);
    } else if (url.pathname === "/long-poll") {
      if (afterText === null || head > after) return answer(res, after, req.headers["if-none-match"]);
      const entry = {
        after,
        res,
        timer: setTimeout(() => {
          waiting.delete(entry);
          answer(res, after, req.headers["if-none-match"]);
        }, LONG_POLL_TIMEOUT_MS),
      };
      waiting.add(entry);
      res.on("close", () => {
        clearTimeout(entry.timer);
        waiting.delete(entry);
      });
    } else {
      res.writeHead(404).end();
    }
  });
  const url = await listen(server);
  return {
    url,
    publish(seq, payload) {
      const json = JSON.stringify(envelopeOf(seq, payload));
      head = seq;
      log.push({ seq, json });
      if (log.length > RETAINED) log.splice(0, log.length - RETAINED);
      const frame = `data: ${json}\n\n`;
      for (const res of streams) res.write(frame);
      for (const entry of [...waiting]) {
        clearTimeout(entry.timer);
        waiting.delete(entry);
        answer(entry.res, entry.after, undefined);
      }
    },
    connections: connectionsOf(server),
    async close() {
      for (const entry of waiting) clearTimeout(entry.timer);
      await closeHttp(server);
    },
  };
}
