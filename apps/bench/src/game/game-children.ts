import { fileURLToPath } from "node:url";
import { ChildHandle } from "../ipc";
import { machineCpu, PACKAGE_DIR, pinToCpu } from "../run-row";
import type { GameServerKind } from "./servers/game-server";
import type { GameServerApi } from "./server-process";
import type { PlayersApi } from "./players-process";

const SERVER_SCRIPT = fileURLToPath(new URL("./server-process.ts", import.meta.url));
const PLAYERS_SCRIPT = fileURLToPath(new URL("./players-process.ts", import.meta.url));

/** Children alive right now, so the orchestrator can kill them on exit or Ctrl-C. */
export const liveGameChildren = new Set<ChildHandle<never>>();

/** Enough for any ramp: the service's default cap (200) would refuse games before ticks go late. */
const MAX_GAMES = 100_000;

export interface GameChildren {
  server: ChildHandle<GameServerApi>;
  players: ChildHandle<PlayersApi>;
  url: string;
  pinned: boolean;
}

/** A fresh game server (CPU 0) and a fresh players process (CPU 1), started and connected. */
export async function startGameChildren(kind: GameServerKind, options: { pin: boolean; logLevel: string }, name: string): Promise<GameChildren> {
  const server = new ChildHandle<GameServerApi>(`${name} server`, SERVER_SCRIPT, { cwd: PACKAGE_DIR });
  const players = new ChildHandle<PlayersApi>(`${name} players`, PLAYERS_SCRIPT, { cwd: PACKAGE_DIR });
  liveGameChildren.add(server);
  liveGameChildren.add(players);
  try {
    await Promise.all([server.ready, players.ready]);
    const pinned = options.pin && (await Promise.all([pinToCpu(server.process.pid, 0), pinToCpu(players.process.pid, 1)])).every(Boolean);
    const { url } = await server.call("start", { kind, logLevel: options.logLevel, maxGames: MAX_GAMES }, 120_000);
    return { server, players, url, pinned };
  } catch (error) {
    await stopGameChildren({ server, players });
    throw error;
  }
}

export async function stopGameChildren(children: Pick<GameChildren, "server" | "players">): Promise<void> {
  await Promise.all([children.server.stop(), children.players.stop()]);
  liveGameChildren.delete(children.server);
  liveGameChildren.delete(children.players);
}

export function killGameChildren(): void {
  for (const child of liveGameChildren) child.kill();
}

const cpuMs = (before: NodeJS.CpuUsage, after: NodeJS.CpuUsage) => (after.user - before.user + after.system - before.system) / 1000;

/** The start of a measured window: the server's and the players' readings and the machine's CPU. */
export async function openWindow(children: GameChildren) {
  const machine = machineCpu();
  const [server, players] = await Promise.all([children.server.call("sample", undefined), children.players.call("beginWindow", undefined)]);
  return { machine, server, players };
}

export type WindowStart = Awaited<ReturnType<typeof openWindow>>;

/** The end of the window, and what the CPU readings say about it. */
export async function closeWindow(children: GameChildren, start: WindowStart) {
  const [server, players] = await Promise.all([children.server.call("sample", undefined), children.players.call("endWindow", undefined)]);
  const machine = machineCpu();
  const windowMs = server.t - start.server.t;
  const serverCpuMs = cpuMs(start.server.cpu, server.cpu);
  const playersCpuMs = cpuMs(start.players.cpu, players.cpu);
  const machineMs = machine.at - start.machine.at;
  return {
    server,
    players,
    windowMs,
    serverCpuPct: (serverCpuMs / windowMs) * 100,
    playersCpuPct: (playersCpuMs / (players.t - start.players.t)) * 100,
    /** Share of the machine used by anything but these two processes (other work skews the figures). */
    otherCpuPct: Math.max(0, ((machine.busyMs - start.machine.busyMs - serverCpuMs - playersCpuMs) / (machineMs * machine.cpus)) * 100),
  };
}
