import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { MatchState } from "@repo/game";
import { EventEnvelope } from "@repo/protocol";
import { io, type Socket } from "socket.io-client";
import { GameFollower, type FollowerLink } from "./follower";
import { BareInputAnswer, BareJoinAnswer } from "./servers/bare-game-server";
import type { Table, TableContext, TableSpec } from "./switchboard-table";
import { PlayerTally } from "./tally";

const ANSWER_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 20_000;

/** An error carrying the bare server's error code, as the SDK's errors carry the protocol's. */
class BareError extends Error {
  constructor(readonly code: string) {
    super(`bare game server: ${code}`);
  }
}

interface BarePlayer {
  socket: Socket;
  tally: PlayerTally;
  /** Set by the join's ack callback, before any event that follows it is handled. */
  seat: number | null;
  follower: GameFollower | null;
  topic: string | null;
}

/** Joins a table; the seat is recorded in the ack callback itself (the match's first snapshot may follow in the same read). */
function join(player: BarePlayer, request: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    player.socket.timeout(ANSWER_TIMEOUT_MS).emit("join", request, (error: Error | null, value: unknown) => {
      if (error) return reject(error);
      const answer = BareJoinAnswer.safeParse(value);
      if (!answer.success) return reject(new Error("the bare server's join answer does not parse"));
      if ("error" in answer.data) return reject(new BareError(answer.data.error));
      player.seat = answer.data.seat;
      resolve();
    });
  });
}

/**
 * A game on the bare socket.io game server, played by raw socket.io clients
 * (the library the SDK's WebSocket transport uses) with the same follower and
 * the same choices as on Switchboard: join, then every `event` envelope into
 * the follower of the current match (a new match, after one ends, starts with
 * a snapshot on a new topic).
 */
export class BareTable implements Table {
  private constructor(private readonly barePlayers: BarePlayer[]) {}

  get players() {
    return this.barePlayers;
  }

  static async open(context: TableContext, spec: TableSpec): Promise<BareTable> {
    const players: BarePlayer[] = Array.from({ length: spec.humans }, () => ({
      socket: io(context.url, { transports: ["websocket"], forceNew: true, reconnection: false, timeout: ANSWER_TIMEOUT_MS }),
      tally: new PlayerTally(),
      seat: null,
      follower: null,
      topic: null,
    }));
    const table = new BareTable(players);
    try {
      const request = { table: `table-${spec.index}`, humans: spec.humans, bots: spec.bots, tickHz: spec.tickHz, roundsToWin: spec.roundsToWin };
      for (const player of players) {
        table.listen(player, spec.turnEveryTicks);
        await join(player, request);
      }
      const deadline = performance.now() + START_TIMEOUT_MS;
      while (players.some((player) => !player.follower?.state) && performance.now() < deadline) await sleep(20);
      if (players.some((player) => !player.follower?.state)) throw new Error(`bare table ${spec.index}: not every player saw the match start`);
    } catch (error) {
      table.close();
      throw error;
    }
    return table;
  }

  private listen(player: BarePlayer, turnEveryTicks: number) {
    const { socket, tally } = player;
    const link: FollowerLink = {
      async sendInput(input) {
        const value: unknown = await socket.timeout(ANSWER_TIMEOUT_MS).emitWithAck("input", input);
        const answer = BareInputAnswer.parse(value);
        if ("error" in answer) throw new BareError(answer.error);
        return answer;
      },
      async fetchState() {
        const answer: unknown = await socket.timeout(ANSWER_TIMEOUT_MS).emitWithAck("state");
        const parsed = MatchState.nullable().safeParse(answer);
        if (!parsed.success) throw new Error("the bare server's state does not parse");
        return parsed.data;
      },
    };
    socket.on("event", (value: unknown) => {
      const envelope = EventEnvelope.safeParse(value);
      if (!envelope.success) return tally.problem("an envelope that does not parse");
      const { topic, type, payload, ts } = envelope.data;
      if (topic !== player.topic) {
        // Only a snapshot opens a match; anything else of another topic is the previous one's tail.
        if (type !== "game.snapshot" || player.seat === null) return;
        player.follower?.close();
        player.topic = topic;
        player.follower = new GameFollower(topic, { seat: player.seat, play: true, turnEveryTicks }, link, tally);
      }
      player.follower?.onEvent(type, payload, ts);
    });
  }

  async verify(timeoutMs: number) {
    return Promise.all(this.barePlayers.map(async (player) => (player.follower ? player.follower.verify(timeoutMs) : "no state")));
  }

  close(): void {
    for (const player of this.barePlayers) {
      player.follower?.close();
      player.socket.disconnect();
    }
  }
}
