import { fileURLToPath } from "node:url";
import { CHAT_COMMANDS } from "@repo/protocol";
import { ChildHandle } from "../ipc";
import type { NotifyServiceApi } from "../notify/service-process";
import { PACKAGE_DIR, pinToCpu } from "../run-row";
import { authorsFor, ChatPublisher } from "./chat-publisher";
import { FlagAdmin } from "./flag-admin";
import { MachineLoad } from "./machine-load";
import type { FlipRow } from "./flip-row";
import { joinRoom, postCommand, signInGuests } from "./guests";
import type { FlagBenchOptions } from "./options";
import { pairName, type TransportPair } from "./pairs";
import { describeRow, measureFlip, type Progress, type Rig } from "./measure-flip";
import type { SwitchersApi } from "./switchers-process";

/** The realtime service with its default features: the notify bench's service process, reused as is. */
const SERVICE_SCRIPT = fileURLToPath(new URL("../notify/service-process.ts", import.meta.url));
const SWITCHERS_SCRIPT = fileURLToPath(new URL("./switchers-process.ts", import.meta.url));
const OPERATOR_TOKEN = `flags-bench-operator-${"x".repeat(32)}`;

/** Children alive right now, so the orchestrator can kill them on exit or Ctrl-C. */
export const liveFlagChildren = new Set<ChildHandle<never>>();

export function killFlagChildren(): void {
  for (const child of liveFlagChildren) child.kill();
}

/**
 * Every pair at one client count, on a fresh service (CPU 0) and a fresh load
 * process (CPU 1): N clients open on the first pair's `from`, then one flip per pair.
 */
export async function runClientCount(clients: number, pairs: TransportPair[], options: FlagBenchOptions, progress: Progress): Promise<{ rows: FlipRow[]; pinned: boolean }> {
  const service = new ChildHandle<NotifyServiceApi>("flags service", SERVICE_SCRIPT, { cwd: PACKAGE_DIR });
  const switchers = new ChildHandle<SwitchersApi>("flags clients", SWITCHERS_SCRIPT, { cwd: PACKAGE_DIR });
  liveFlagChildren.add(service);
  liveFlagChildren.add(switchers);
  let publisher: ChatPublisher | undefined;
  try {
    await Promise.all([service.ready, switchers.ready]);
    const { url, pid } = await service.call("start", { operatorToken: OPERATOR_TOKEN, logLevel: options.logLevel }, 120_000);
    const pinned = options.pin && (await Promise.all([pinToCpu(pid, 0), pinToCpu(switchers.process.pid, 1)])).every(Boolean);
    progress(`service at ${url}${pinned ? " (CPU 0; clients on CPU 1)" : ""}`);

    const authors = await signInGuests(url, authorsFor(options.rate), "Publisher", progress);
    const [host, ...others] = authors;
    if (!host) throw new Error("no publisher signed in");
    const roomName = `flags bench ${clients} ${Date.now().toString(36)}`;
    const { room } = CHAT_COMMANDS["chat.createRoom"].result.parse(await postCommand(url, host, "chat.createRoom", { name: roomName }));
    const roomId = room.id;
    await joinRoom(url, others, roomId, progress);
    publisher = new ChatPublisher(url, authors, roomId);

    const admin = new FlagAdmin(url, OPERATOR_TOKEN);
    const first = pairs[0]!.from;
    await admin.setChatTransport(first, `flags bench: ${clients} clients start on ${first}`);
    progress(`opening ${clients} clients on ${first} in room ${roomId}`);
    await switchers.call("open", { url, count: clients, roomId, transport: first }, 600_000);

    const load = new MachineLoad([pid, switchers.process.pid ?? -1, process.pid]);
    const rig: Rig = { switchers, admin, publisher, options, clients, progress, flag: first, load };
    const rows: FlipRow[] = [];
    for (const [index, pair] of pairs.entries()) {
      progress(`${clients} clients, ${index + 1}/${pairs.length}: ${pairName(pair)}`);
      const row = await measureFlip(rig, pair);
      progress(`  ${describeRow(row)}`);
      rows.push(row);
    }
    await switchers.call("close", undefined);
    await service.call("close", undefined);
    return { rows, pinned };
  } finally {
    publisher?.close();
    await Promise.all([service.stop(), switchers.stop()]);
    liveFlagChildren.delete(service);
    liveFlagChildren.delete(switchers);
  }
}
