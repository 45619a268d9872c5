import { describe, expect, test } from "vitest";
import { startService, type SpawnedService } from "../support/spawn-service";
import { signIn } from "../support/start-server";
import { f1Frame } from "./support/frame-arbitraries";
import { request } from "./support/http-answers";
import { RawSocket } from "../support/raw-socket";
import { expectServiceServing } from "./support/service-health";

/*
 * The real entry point (src/index.ts) as its own process, hit with the inputs
 * most likely to kill it. After each one the process must still be running and
 * serving. A killer that takes it down is recorded, the service restarted, and
 * the next killer tried, so one run names every killer.
 */
/** The service with test-friendly sign-in limits: the test signs a fresh guest in after every killer. */
const startKillable = () =>
  startService({ env: { NODE_ENV: "test", RATE_LIMIT_SESSION: "10000/1m", RATE_LIMIT_SESSION_GLOBAL: "10000/1m" } });

type Service = SpawnedService;

/** One raw frame on a fresh, signed-in socket; the answer does not matter here, only survival. */
async function sendFrame(baseUrl: string, token: string, frames: Array<string | Buffer>) {
  const socket = await RawSocket.connect(baseUrl, token);
  for (const frame of frames) socket.send(frame);
  await socket.waitFor(() => false, 500, "nothing").catch(() => null);
  socket.close();
}

const KILLERS: Array<{ name: string; send: (baseUrl: string, token: string) => Promise<unknown> }> = [
  { name: "F1: acked command nested 8,000 arrays deep", send: (url, token) => sendFrame(url, token, [f1Frame(8000)]) },
  { name: "F1: acked command nested 3,000 objects deep", send: (url, token) => sendFrame(url, token, [`421["command",${'{"a":'.repeat(3000)}1${"}".repeat(3000)}]`]) },
  { name: "subscribe with a cursor nested 8,000 deep", send: (url, token) => sendFrame(url, token, [`421["subscribe",{"cursor":${"[".repeat(8000)}${"]".repeat(8000)}}]`]) },
  { name: "unsubscribe with topics nested 8,000 deep", send: (url, token) => sendFrame(url, token, [`421["unsubscribe",{"topics":${"[".repeat(8000)}${"]".repeat(8000)}}]`]) },
  { name: "reserved event names from the client", send: (url, token) => sendFrame(url, token, ['421["disconnecting",{}]', '422["error",{}]', '423["__proto__",{}]', '42["newListener","x"]']) },
  { name: "binary placeholder pointing nowhere", send: (url, token) => sendFrame(url, token, ['451-1["command",{"_placeholder":true,"num":7}]', Buffer.from([1, 2, 3])]) },
  { name: "frame over the size limit", send: (url, token) => sendFrame(url, token, [`421["command","${"a".repeat(64 * 1024)}"]`]) },
  { name: "huge ack id", send: (url, token) => sendFrame(url, token, [`42${"9".repeat(500)}["command",{}]`]) },
  { name: "repeated cursor query (F11)", send: (url, token) => request(`${url}/v1/poll?cursor=a&cursor=b`, { headers: { authorization: `Bearer ${token}` } }) },
  {
    name: "command body nested 8,000 deep over HTTP",
    send: (url, token) =>
      request(`${url}/v1/commands`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: `{"id":"abcdefgh12","type":"echo","payload":${"[".repeat(8000)}${"]".repeat(8000)}}`,
      }),
  },
];

describe("the service process under killer inputs", () => {
  test("stays up and serving after every killer input", async () => {
    const killed: string[] = [];
    let service: Service = startKillable();
    const stopAll: Service[] = [service];
    try {
      for (const killer of KILLERS) {
        const baseUrl = await service.baseUrl;
        const fuzzer = await signIn(baseUrl, "Killer");
        const client = await signIn(baseUrl, "Bystander");
        await killer.send(baseUrl, fuzzer.token).catch(() => null);
        // Give an escaped error the moment it needs to end the process.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const alive = service.child.exitCode === null && service.child.signalCode === null;
        const serving = alive && (await expectServiceServing(baseUrl, client, killer.name).then(() => true, () => false));
        if (!serving) {
          killed.push(`${killer.name} (${alive ? "process up but not serving" : `process exited with ${service.child.exitCode ?? service.child.signalCode}`})`);
          service.child.kill("SIGKILL");
          service = startKillable();
          stopAll.push(service);
        }
      }
      expect(killed, "inputs that took the service process down").toEqual([]);
      // And it still shuts down cleanly.
      service.child.kill("SIGTERM");
      expect(await service.exited).toBe(0);
    } finally {
      for (const s of stopAll) if (s.child.exitCode === null) s.child.kill("SIGKILL");
    }
  }, 180_000);
});
