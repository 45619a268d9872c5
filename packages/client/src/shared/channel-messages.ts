// The messages the tabs of one shared client exchange on their BroadcastChannel. They come from
// same-origin code, but another version of the app (a tab not yet reloaded) or a bug may send
// anything: every message is parsed, and one that does not parse is dropped.
import { ClosingNotice, CommandEnvelope, ErrorBody, EventEnvelope, Position, ResetSignal, Signal, Topic } from "@repo/protocol";
import { z } from "zod";

/** Bumped when a message changes shape: tabs of another version ignore each other. */
export const SHARED_PROTOCOL = 1;

const TabId = z.string().min(8).max(64);
const Cursors = z.record(Topic, Position.nullable());
const Status = z.enum(["idle", "connecting", "open", "reconnecting", "closed"]);
const ConnectionFailure = z.object({ code: z.enum(["network", "timeout", "closed"]), message: z.string() });

const fromTab = { v: z.literal(SHARED_PROTOCOL), from: TabId };

/** Follower → leader. */
const followerMessages = [
  /** Every topic the tab follows and where it stands (sent in full on each change, and to each new leader). */
  z.object({ ...fromTab, kind: z.literal("want"), topics: Cursors }),
  z.object({ ...fromTab, kind: z.literal("command"), requestId: z.string().max(64), command: CommandEnvelope }),
  z.object({ ...fromTab, kind: z.literal("control"), action: z.enum(["switch", "reconnect", "drop"]), transport: z.string().max(64).optional() }),
  z.object({ ...fromTab, kind: z.literal("leave") }),
] as const;

/** Leader → every tab (those with `to` concern one tab). */
const leaderMessages = [
  z.object({ ...fromTab, kind: z.literal("leader") }),
  z.object({ ...fromTab, kind: z.literal("event"), event: EventEnvelope }),
  z.object({ ...fromTab, kind: z.literal("signal"), signal: Signal }),
  /** `to`: one tab's saved cursor is from an epoch the connection is past (the others are not concerned). */
  z.object({ ...fromTab, kind: z.literal("reset"), reset: ResetSignal, to: TabId.optional() }),
  z.object({ ...fromTab, kind: z.literal("refused"), topic: Topic, error: ErrorBody }),
  z.object({ ...fromTab, kind: z.literal("closing"), notice: ClosingNotice }),
  z.object({
    ...fromTab,
    kind: z.literal("status"),
    status: Status,
    transport: z.string().max(64),
    wanted: z.string().max(64),
    error: z.union([ErrorBody, ConnectionFailure]).optional(),
  }),
  /** Where the leader's connection stands on the topics a tab just asked for (pins its "from now" cursors). */
  z.object({ ...fromTab, kind: z.literal("positions"), to: TabId, topics: Cursors }),
  z.object({
    ...fromTab,
    kind: z.literal("result"),
    to: TabId,
    requestId: z.string().max(64),
    outcome: z.union([
      z.object({ ok: z.literal(true), result: z.unknown() }),
      z.object({ ok: z.literal(false), protocol: ErrorBody }),
      z.object({ ok: z.literal(false), connection: ConnectionFailure }),
    ]),
  }),
] as const;

export const ChannelMessage = z.discriminatedUnion("kind", [...followerMessages, ...leaderMessages]);
export type ChannelMessage = z.infer<typeof ChannelMessage>;
export type FollowerMessage = z.infer<(typeof followerMessages)[number]>;
export type LeaderMessage = z.infer<(typeof leaderMessages)[number]>;
export type ResultOutcome = Extract<LeaderMessage, { kind: "result" }>["outcome"];
export type FailureBody = NonNullable<Extract<LeaderMessage, { kind: "status" }>["error"]>;

/** What a message says without its envelope (the sender fills in `v` and `from`). */
export type Outgoing<M extends ChannelMessage = ChannelMessage> = M extends ChannelMessage ? Omit<M, "v" | "from"> : never;
