import { createCommandId, createServiceApi } from "@repo/client";
import {
  CommandResult,
  GAME_COMMANDS,
  GAME_EVENTS,
  SOCKET_PATH,
  gameTopic,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from "@repo/protocol";
import { io, type Socket } from "socket.io-client";
import { BareJoinAnswer } from "./servers/bare-game-server";
import type { Table, TableContext, TableSpec } from "./switchboard-table";
import { PlayerTally } from "./tally";

/*
 * The capacity ramp's hosts: one per game, as light as a client can be, so the
 * players process (one CPU, like the server) can hold hundreds of games
 * without becoming what the ramp measures. A host seats itself and the bots,
 * starts the match, follows the game's topic on a raw socket.io connection
 * (Switchboard's wire, typed by @repo/protocol; presence sees it, so its seat
 * stays in) and counts the ticks it gets; it sends no inputs and parses
 * nothing but an event's type. Its own cycle runs into a wall each round; the
 * bots play on. A finished game is rematched (Switchboard) or restarted by the
 * bare server itself.
 */

const ANSWER_TIMEOUT_MS = 20_000;

type SwitchboardSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

class LeanError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function connect(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => reject(error));
  });
}

/** Counts one event for the ramp: ticks while the window is open. */
function countEvent(tally: PlayerTally, type: unknown) {
  if (tally.open && type === GAME_EVENTS.tick) tally.ticks++;
}

/** A subscribe ack that says ok (SubscribeAck is a type, not a schema). */
const isOk = (value: unknown): boolean => typeof value === "object" && value !== null && "ok" in value && value.ok === true;

/** An event's type, read without parsing the rest (the bare socket is untyped). */
const typeOf = (value: unknown): unknown => (typeof value === "object" && value !== null && "type" in value ? value.type : undefined);

export class LeanSwitchboardHost implements Table {
  private readonly tally = new PlayerTally();
  readonly players = [{ tally: this.tally, follower: null }];
  private topic = "";
  private stopping = false;
  private rematching = false;

  private constructor(
    private readonly socket: SwitchboardSocket,
    private readonly spec: TableSpec,
  ) {
    socket.on("event", (envelope) => {
      if (envelope.topic !== this.topic) return;
      countEvent(this.tally, envelope.type);
      if (envelope.type === GAME_EVENTS.over) this.rematch(envelope.topic);
    });
  }

  static async open(context: TableContext, spec: TableSpec): Promise<LeanSwitchboardHost> {
    const session = await createServiceApi({ baseUrl: context.url }).signIn(`Host ${spec.index}`);
    const socket: SwitchboardSocket = io(context.url, {
      path: SOCKET_PATH,
      transports: ["websocket"],
      auth: { token: session.token },
      forceNew: true,
      reconnection: false,
      timeout: ANSWER_TIMEOUT_MS,
    });
    const host = new LeanSwitchboardHost(socket, spec);
    try {
      await connect(socket);
      await host.play(null);
    } catch (error) {
      host.close();
      throw error;
    }
    return host;
  }

  private async command(type: string, payload: Record<string, unknown>): Promise<unknown> {
    const value: unknown = await this.socket.timeout(ANSWER_TIMEOUT_MS).emitWithAck("command", { id: createCommandId(), type, payload });
    const answer = CommandResult.parse(value);
    if (!answer.ok) throw new LeanError(answer.error.code, `${type}: ${answer.error.code} ${answer.error.message}`);
    return answer.result;
  }

  private async subscribe(topic: string) {
    const ack: unknown = await this.socket.timeout(ANSWER_TIMEOUT_MS).emitWithAck("subscribe", { cursor: `${topic}@` });
    if (!isOk(ack)) throw new LeanError("refused", `subscribe ${topic}: ${JSON.stringify(ack)}`);
  }

  /** A new game with its bots (or the rematch of `previous`, which keeps them), followed, then started. */
  private async play(previous: string | null) {
    const { humans, bots, tickHz, roundsToWin } = this.spec;
    const { game } = previous
      ? GAME_COMMANDS["game.rematch"].result.parse(await this.command("game.rematch", { gameId: previous }))
      : GAME_COMMANDS["game.create"].result.parse(await this.command("game.create", { maxSeats: humans + bots, tickHz, roundsToWin }));
    const topic = gameTopic(game.id);
    this.topic = topic;
    await this.subscribe(topic);
    if (!previous) for (let bot = 0; bot < bots; bot++) await this.command("game.addBot", { gameId: game.id });
    await this.command("game.start", { gameId: game.id });
    this.tally.games++;
  }

  private rematch(topic: string) {
    if (this.stopping || this.rematching) return;
    this.rematching = true;
    const previous = topic.slice("game:".length);
    void this.socket
      .timeout(ANSWER_TIMEOUT_MS)
      .emitWithAck("unsubscribe", { topics: [topic] })
      .then(() => this.play(previous))
      .catch((error: unknown) => this.tally.problem(`rematch of ${previous} failed: ${String(error)}`))
      .finally(() => (this.rematching = false));
  }

  async verify(): Promise<Array<"no state">> {
    return ["no state"];
  }

  close(): void {
    this.stopping = true;
    this.socket.disconnect();
  }
}

/** The same host on the bare game server: join a table of one human and the bots; the server starts (and restarts) its matches. */
export class LeanBareHost implements Table {
  private readonly tally = new PlayerTally();
  readonly players = [{ tally: this.tally, follower: null }];

  private constructor(private readonly socket: Socket) {
    socket.on("event", (envelope: unknown) => countEvent(this.tally, typeOf(envelope)));
  }

  static async open(context: TableContext, spec: TableSpec): Promise<LeanBareHost> {
    const socket = io(context.url, { transports: ["websocket"], forceNew: true, reconnection: false, timeout: ANSWER_TIMEOUT_MS });
    const host = new LeanBareHost(socket);
    try {
      await connect(socket);
      const request = { table: `host-${spec.index}`, humans: spec.humans, bots: spec.bots, tickHz: spec.tickHz, roundsToWin: spec.roundsToWin };
      const value: unknown = await socket.timeout(ANSWER_TIMEOUT_MS).emitWithAck("join", request);
      const answer = BareJoinAnswer.parse(value);
      if ("error" in answer) throw new LeanError(answer.error, `bare join: ${answer.error}`);
      host.tally.games++;
    } catch (error) {
      host.close();
      throw error;
    }
    return host;
  }

  async verify(): Promise<Array<"no state">> {
    return ["no state"];
  }

  close(): void {
    this.socket.disconnect();
  }
}
