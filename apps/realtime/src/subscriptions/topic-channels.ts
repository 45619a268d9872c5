import type { EventEnvelope, Signal, Topic } from "@repo/protocol";
import type { Hub } from "../hub/hub";

/** A subscriber as a topic channel sees it. */
export interface ChannelMember {
  /** A live event of a topic the member follows live (the default fan-out). */
  deliver(event: EventEnvelope): void;
  signal(signal: Signal): void;
  /** The hub could not deliver the topic's live events in sequence: re-read from your position. */
  lost(topic: Topic): void;
}

/** How a transport sends one live event to the members following a topic live. */
export type LiveFanout = (topic: Topic, event: EventEnvelope, live: ReadonlySet<ChannelMember>) => void;

/** Live events that arrived while a member was still reading its backlog. */
export interface HeldEvents {
  events: EventEnvelope[];
  /** More arrived than is kept: the member re-reads them from the hub instead. */
  overflowed: boolean;
}

/** Held events kept per catching-up member before it must re-read from the hub instead. */
const MAX_HELD_EVENTS = 1_000;

interface Channel {
  stop: () => void;
  live: Set<ChannelMember>;
  catchingUp: Map<ChannelMember, HeldEvents>;
}

const eachMember: LiveFanout = (_topic, event, live) => {
  for (const member of live) member.deliver(event);
};

/** A channel's `stop` until its hub listener is in (module-level: a channel can come and go with each poll). */
const NOT_LISTENING = () => {};

/**
 * One hub listener per topic for all of a transport's subscribers (not one per
 * connection): live events go to the members that are live, and are held for
 * those still reading their backlog, so that they can go live without a gap or
 * a duplicate. A transport may replace the fan-out (the WebSocket broadcasts to
 * a socket.io room, encoded once).
 */
export function createTopicChannels(hub: Hub, fanout: LiveFanout = eachMember) {
  const channels = new Map<Topic, Channel>();

  function channelOf(topic: Topic): Channel {
    const existing = channels.get(topic);
    if (existing) return existing;
    const channel: Channel = { stop: NOT_LISTENING, live: new Set(), catchingUp: new Map() };
    channel.stop = hub.listen(
      topic,
      (event) => {
        for (const held of channel.catchingUp.values()) {
          if (held.overflowed) continue;
          if (held.events.length >= MAX_HELD_EVENTS) {
            held.events = [];
            held.overflowed = true;
          } else held.events.push(event);
        }
        if (channel.live.size > 0) fanout(topic, event, channel.live);
      },
      // Signals are live-only: every member, catching up or not.
      (signal) => {
        for (const member of channel.live) member.signal(signal);
        for (const member of channel.catchingUp.keys()) member.signal(signal);
      },
      () => {
        // Catching-up members are still reading the hub; the live ones go back to it.
        for (const held of channel.catchingUp.values()) {
          held.events = [];
          held.overflowed = true;
        }
        for (const member of [...channel.live]) member.lost(topic);
      },
    );
    channels.set(topic, channel);
    return channel;
  }

  function leave(topic: Topic, member: ChannelMember) {
    const channel = channels.get(topic);
    if (!channel) return;
    channel.live.delete(member);
    channel.catchingUp.delete(member);
    if (channel.live.size === 0 && channel.catchingUp.size === 0) {
      channel.stop();
      channels.delete(topic);
    }
  }

  return {
    /** Starts holding the topic's live events for a member about to read its backlog. */
    join(topic: Topic, member: ChannelMember): HeldEvents {
      const held: HeldEvents = { events: [], overflowed: false };
      const channel = channelOf(topic);
      channel.live.delete(member);
      channel.catchingUp.set(member, held);
      return held;
    },
    /** The member's backlog is out: from now on it gets live events. Call in the same tick as flushing what was held. */
    goLive(topic: Topic, member: ChannelMember) {
      const channel = channelOf(topic);
      channel.catchingUp.delete(member);
      channel.live.add(member);
    },
    leave,
    close() {
      for (const channel of channels.values()) channel.stop();
      channels.clear();
    },
  };
}

export type TopicChannels = ReturnType<typeof createTopicChannels>;
