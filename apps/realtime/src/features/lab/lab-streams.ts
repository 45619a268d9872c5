import { randomBytes } from "node:crypto";
import {
  LAB_EVENTS,
  ProtocolError,
  labTopic,
  ownsLabStream,
  topicId,
  topicKind,
  type CommandPayloadOf,
  type LabSettings,
  type LabStopReason,
  type LabStream,
  type Position,
  type User,
} from "@repo/protocol";
import type { FastifyBaseLogger } from "fastify";
import type { Hub } from "../../hub/hub";
import type { Presence } from "../../hub/presence";
import { dueOffsetMs, MAX_LAG_MS } from "./lab-schedule";
import type { LabMetrics } from "./lab-metrics";

export interface LabLimits {
  streamsPerUser: number;
  streamsTotal: number;
  bytesPerSecondMax: number;
  maxLifetimeMs: number;
  /** A stream whose reader left ends this long after presence lost them. */
  awayGraceMs: number;
  /** A stream nobody came to read ends this long after it started. */
  startGraceMs: number;
  /** A stopped stream is remembered this long, so a retried `lab.stop` gets the same answer. */
  stoppedLingerMs: number;
}

interface Running {
  id: string;
  owner: string;
  settings: LabSettings;
  filler: string;
  sent: number;
  startedAt: number;
  expiresAt: number;
  /** Schedule origin (start or last configure) and messages sent since it. */
  origin: number;
  sinceOrigin: number;
  sendTimer: NodeJS.Timeout | null;
  awayTimer: NodeJS.Timeout | null;
  lifetimeTimer: NodeJS.Timeout;
  /** Publishes run one after another, so offsets follow sequence numbers on every hub. */
  chain: Promise<unknown>;
  /** Publishes queued and not yet done; past one second's worth, messages are skipped (a slow hub). */
  queued: number;
}

/** Most stopped streams remembered for their linger (older ones are forgotten first). */
const STOPPED_MEMORY = 1000;

/**
 * The lab's synthetic streams on this instance: start, live reconfigure,
 * stop, and the ends nobody asked for (lifetime, readers gone, shutdown).
 * Every stream holds at most three timers, all unref'd and all cleared at its end.
 */
export function createLabStreams(deps: { hub: Hub; presence: Presence; log: FastifyBaseLogger; limits: LabLimits; metrics: LabMetrics }) {
  const { hub, presence, log, limits, metrics } = deps;
  const running = new Map<string, Running>();
  const stopped = new Map<string, { owner: string; sent: number; until: number }>();

  function forgetStale(now = Date.now()) {
    for (const [id, entry] of stopped) {
      if (entry.until > now && stopped.size <= STOPPED_MEMORY) break;
      stopped.delete(id);
    }
  }

  function checkBudget(settings: LabSettings) {
    if (settings.rate * settings.payloadBytes > limits.bytesPerSecondMax) {
      throw new ProtocolError("validation", `rate × payloadBytes may be at most ${limits.bytesPerSecondMax} bytes/s`, {
        issues: [{ path: ["payload", "payloadBytes"], message: `At ${settings.rate} msg/s, at most ${Math.floor(limits.bytesPerSecondMax / settings.rate)} bytes` }],
      });
    }
  }

  function publish(stream: Running, type: string, payload: unknown) {
    stream.queued++;
    stream.chain = stream.chain
      .then(() => hub.publish(labTopic(stream.id), type, payload))
      .catch((error: unknown) => log.warn({ err: error, streamId: stream.id }, "a lab message could not be published"))
      .finally(() => stream.queued--);
  }

  function sendDue(stream: Running) {
    stream.sendTimer = null;
    if (!running.has(stream.id)) return;
    let now = Date.now();
    if (now - (stream.origin + dueOffsetMs(stream.settings, stream.sinceOrigin)) > MAX_LAG_MS) {
      stream.origin = now;
      stream.sinceOrigin = 0;
    }
    while (stream.origin + dueOffsetMs(stream.settings, stream.sinceOrigin) <= now) {
      stream.sinceOrigin++;
      if (stream.queued > stream.settings.rate) continue;
      stream.sent++;
      publish(stream, LAB_EVENTS.message, { streamId: stream.id, seq: stream.sent, sentAt: now, data: stream.filler });
      metrics.message();
      now = Date.now();
    }
    const wait = Math.max(0, stream.origin + dueOffsetMs(stream.settings, stream.sinceOrigin) - Date.now());
    stream.sendTimer = setTimeout(() => sendDue(stream), wait);
    stream.sendTimer.unref();
  }

  function reschedule(stream: Running) {
    if (stream.sendTimer) clearTimeout(stream.sendTimer);
    stream.origin = Date.now();
    stream.sinceOrigin = 0;
    sendDue(stream);
  }

  function setAway(stream: Running, ms: number | null) {
    if (stream.awayTimer) clearTimeout(stream.awayTimer);
    stream.awayTimer = null;
    if (ms === null) return;
    stream.awayTimer = setTimeout(() => void checkAway(stream), ms);
    stream.awayTimer.unref();
  }

  /**
   * The grace ran out: ends the stream unless its owner reads it after all. On Redis a reader
   * on another instance is announced there, not here, so ask the shared view; while they read,
   * ask again each grace period (the lifetime bounds it in any case).
   */
  async function checkAway(stream: Running) {
    stream.awayTimer = null;
    let reading = false;
    try {
      reading = (await presence.listAll(labTopic(stream.id))).some((reader) => reader.id === stream.owner);
    } catch (error) {
      log.warn({ err: error, streamId: stream.id }, "lab: presence could not be read; the stream goes on until the next check");
      reading = true;
    }
    if (!running.has(stream.id) || stream.awayTimer) return;
    if (reading) setAway(stream, limits.awayGraceMs);
    else end(stream, "away");
  }

  function end(stream: Running, reason: LabStopReason) {
    if (!running.delete(stream.id)) return;
    if (stream.sendTimer) clearTimeout(stream.sendTimer);
    if (stream.awayTimer) clearTimeout(stream.awayTimer);
    clearTimeout(stream.lifetimeTimer);
    stream.sendTimer = stream.awayTimer = null;
    forgetStale();
    stopped.set(stream.id, { owner: stream.owner, sent: stream.sent, until: Date.now() + limits.stoppedLingerMs });
    publish(stream, LAB_EVENTS.stopped, { streamId: stream.id, reason, sent: stream.sent });
    metrics.stopped(reason);
  }

  function roomForOneMore(user: User) {
    let mine = 0;
    for (const stream of running.values()) if (stream.owner === user.id) mine++;
    if (mine >= limits.streamsPerUser) throw new ProtocolError("conflict", `At most ${limits.streamsPerUser} lab streams per user at once: stop one first`);
    if (running.size >= limits.streamsTotal) throw new ProtocolError("conflict", "This instance runs as many lab streams as it may: try again later");
  }

  function summary(stream: Running): LabStream {
    return {
      streamId: stream.id,
      topic: labTopic(stream.id),
      settings: { ...stream.settings },
      sent: stream.sent,
      startedAt: stream.startedAt,
      expiresAt: stream.expiresAt,
    };
  }

  function ownStream(user: User, streamId: string): Running {
    const stream = running.get(streamId);
    // Someone else's stream is as unknown as one that never was.
    if (!stream || stream.owner !== user.id) throw new ProtocolError("not_found", "No such lab stream (it may have ended)");
    return stream;
  }

  return {
    /** The owner reads their streams' topics on any instance, before, while and after they run (as echo:<userId>). */
    canRead(user: User, id: string): boolean {
      return ownsLabStream(user.id, id);
    },

    async start(user: User, settings: LabSettings): Promise<LabStream & { position: Position }> {
      checkBudget(settings);
      roomForOneMore(user);
      const id = `${user.id}_${randomBytes(9).toString("base64url")}`;
      const { epoch, offset } = await hub.head(labTopic(id));
      // Again: another start may have taken the last place while the head was read.
      roomForOneMore(user);
      const now = Date.now();
      const stream: Running = {
        id,
        owner: user.id,
        settings: { ...settings },
        filler: "x".repeat(settings.payloadBytes),
        sent: 0,
        startedAt: now,
        expiresAt: now + limits.maxLifetimeMs,
        origin: now,
        sinceOrigin: 0,
        sendTimer: null,
        awayTimer: null,
        lifetimeTimer: setTimeout(() => end(stream, "expired"), limits.maxLifetimeMs),
        chain: Promise.resolve(),
        queued: 0,
      };
      stream.lifetimeTimer.unref();
      running.set(stream.id, stream);
      // Nobody reads it yet: it ends unless a reader comes within the start grace.
      setAway(stream, limits.startGraceMs);
      reschedule(stream);
      return { ...summary(stream), position: { epoch, offset } };
    },

    configure(user: User, payload: CommandPayloadOf<"lab.configure">): LabStream {
      const stream = ownStream(user, payload.streamId);
      const settings: LabSettings = {
        rate: payload.rate ?? stream.settings.rate,
        payloadBytes: payload.payloadBytes ?? stream.settings.payloadBytes,
        burstiness: payload.burstiness ?? stream.settings.burstiness,
      };
      checkBudget(settings);
      if (settings.payloadBytes !== stream.settings.payloadBytes) stream.filler = "x".repeat(settings.payloadBytes);
      stream.settings = settings;
      reschedule(stream);
      return summary(stream);
    },

    stop(user: User, streamId: string): { streamId: string; sent: number } {
      const gone = stopped.get(streamId);
      // A retried stop (its answer was lost) finds the stream already stopped: the same answer.
      if (!running.has(streamId) && gone?.owner === user.id && gone.until > Date.now()) return { streamId, sent: gone.sent };
      const stream = ownStream(user, streamId);
      end(stream, "stopped");
      return { streamId, sent: stream.sent };
    },

    list(user: User): LabStream[] {
      return [...running.values()].filter((stream) => stream.owner === user.id).map(summary);
    },

    /** Ends a stream whose owner stopped reading (after the away grace), and keeps one they came back to. */
    trackPresence(): () => void {
      presence.track("lab");
      return presence.onChange(({ topic, user, present }) => {
        if (topicKind(topic) !== "lab") return;
        const stream = running.get(topicId(topic));
        if (!stream || stream.owner !== user.id) return;
        setAway(stream, present ? null : limits.awayGraceMs);
      });
    },

    stats() {
      let timers = 0;
      for (const stream of running.values()) timers += 1 + (stream.sendTimer ? 1 : 0) + (stream.awayTimer ? 1 : 0);
      return { streams: running.size, timers };
    },

    /** The instance is closing: every stream ends (its readers hear `shutdown`). */
    close() {
      for (const stream of [...running.values()]) end(stream, "shutdown");
      stopped.clear();
    },
  };
}

export type LabStreams = ReturnType<typeof createLabStreams>;
