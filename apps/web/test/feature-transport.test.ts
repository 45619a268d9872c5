import { describe, expect, it } from "vitest";
import { assignTransport, featureOfPath, type ResolvedFlag } from "../src/lib/flags/feature-transport";
import { FlagChangeGate } from "../src/lib/flags/flag-change-gate";
import { causeText, changeText } from "../src/lib/flags/transport-words";

const flag = (value: unknown): ResolvedFlag => ({ value, fromService: true });
const unread = (value: unknown): ResolvedFlag => ({ value, fromService: false });

describe("assignTransport", () => {
  it("the URL's override wins over every flag", () => {
    expect(assignTransport({ feature: "chat", override: "polling", featureFlag: flag("sse"), defaultFlag: flag("websocket") })).toEqual({
      transport: "polling",
      source: { kind: "override" },
    });
  });

  it("the feature's own flag, when it names a transport", () => {
    expect(assignTransport({ feature: "game", override: null, featureFlag: flag("long-polling"), defaultFlag: flag("websocket") })).toEqual({
      transport: "long-polling",
      source: { kind: "flag", flag: "transport.game" },
    });
  });

  it("`default` follows transport.default, and says through which flag", () => {
    expect(assignTransport({ feature: "chat", override: null, featureFlag: flag("default"), defaultFlag: flag("sse") })).toEqual({
      transport: "sse",
      source: { kind: "flag", flag: "transport.default", via: "transport.chat" },
    });
  });

  it("a feature flag not read (missing, disabled, an unknown value) follows transport.default", () => {
    for (const featureFlag of [unread("default"), flag("carrier-pigeon"), flag(42)]) {
      expect(assignTransport({ feature: "notifications", override: null, featureFlag, defaultFlag: flag("polling") })).toEqual({
        transport: "polling",
        source: { kind: "flag", flag: "transport.default" },
      });
    }
  });

  it("no flags at all (the service could not evaluate): the built-in default, WebSocket", () => {
    expect(assignTransport({ feature: "chat", override: null, featureFlag: unread("default"), defaultFlag: unread("websocket") })).toEqual({
      transport: "websocket",
      source: { kind: "built-in" },
    });
  });
});

describe("featureOfPath", () => {
  it("chat and game pages are theirs; everything else shows notifications", () => {
    expect(featureOfPath("/chat")).toBe("chat");
    expect(featureOfPath("/game")).toBe("game");
    expect(featureOfPath("/game/replay/abc")).toBe("game");
    expect(featureOfPath("/")).toBe("notifications");
    expect(featureOfPath("/notifications")).toBe("notifications");
    expect(featureOfPath("/chatter")).toBe("notifications");
  });
});

describe("FlagChangeGate", () => {
  it("admits each change once, however many clients deliver it", () => {
    const gate = new FlagChangeGate();
    const heard = [1, 1, 1, 2, 2, 1, 3].map((offset) => gate.admit({ epoch: "e1", offset }));
    expect(heard).toEqual([true, false, false, true, false, false, true]);
  });

  it("a new epoch (history lost) starts over", () => {
    const gate = new FlagChangeGate();
    expect(gate.admit({ epoch: "e1", offset: 7 })).toBe(true);
    expect(gate.admit({ epoch: "e2", offset: 1 })).toBe(true);
    expect(gate.admit({ epoch: "e2", offset: 1 })).toBe(false);
  });
});

describe("transport words", () => {
  it("say why, including a reason the SDK adds later", () => {
    expect(causeText({ kind: "override" })).toBe("URL override");
    expect(causeText({ kind: "flag", flag: "transport.default", via: "transport.chat" })).toBe("flag transport.chat → transport.default");
    expect(causeText({ kind: "moved", from: "websocket", reason: "transport_disabled" })).toBe("moved from WebSocket (switched off by the service)");
    expect(changeText("chat", { from: "websocket", to: "sse", cause: { kind: "moved", from: "websocket", reason: "fallback" }, sequence: 1 })).toBe(
      "Chat: WebSocket → SSE, fell back: the wanted transport did not get through",
    );
    expect(changeText("chat", { from: "sse", to: "websocket", cause: { kind: "moved", from: "sse", reason: "upgrade" }, sequence: 2 })).toBe(
      "Chat: SSE → WebSocket, upgraded: the wanted transport works again",
    );
    expect(causeText({ kind: "moved", from: "sse", reason: "some_new_reason" })).toBe("moved from SSE (some new reason)");
    expect(changeText("game", { from: "sse", to: "polling", cause: { kind: "flag", flag: "transport.game" }, sequence: 2 })).toBe(
      "Game: SSE → Short polling, flag transport.game",
    );
  });
});
