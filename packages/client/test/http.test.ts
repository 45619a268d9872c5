import { ERROR_POLICY, HTTP_PATHS, PROTOCOL_VERSION, ProtocolError, VERSION_HEADER } from "@repo/protocol";
import { describe, expect, test } from "vitest";
import { ConnectionError, failureText } from "../src";
import { errorFromAnswer, httpRequest, subscriptionPath, type HttpContext } from "../src/http";
import { endsTopic, topicsNamedBy } from "../src/refusals";

/** A context whose fetch records each request and answers 204. */
function recording(): { context: HttpContext; requests: Array<{ url: string; headers: Record<string, string> }> } {
  const requests: Array<{ url: string; headers: Record<string, string> }> = [];
  const context: HttpContext = {
    baseUrl: "http://service",
    token: "t0k",
    requestTimeoutMs: 1_000,
    version: PROTOCOL_VERSION,
    count: () => {},
    fetch: async (input, init) => {
      requests.push({ url: input instanceof Request ? input.url : input.toString(), headers: { ...(init?.headers as Record<string, string>) } });
      return new Response(null, { status: 204 });
    },
  };
  return { context, requests };
}

describe("the protocol version on HTTP", () => {
  test("subscription URLs carry `v`, and no version header", async () => {
    const { context, requests } = recording();
    const path = subscriptionPath(context, HTTP_PATHS.poll, { cursor: "echo:me@", signals: 5 });
    expect(path).toBe(`${HTTP_PATHS.poll}?cursor=echo%3Ame%40&signals=5&v=${PROTOCOL_VERSION}`);
    await httpRequest(context, path, { versionInUrl: true });
    expect(requests[0]!.headers[VERSION_HEADER]).toBeUndefined();
  });

  test("every other request of the API carries the version header; operators' endpoints are unversioned", async () => {
    const { context, requests } = recording();
    await httpRequest(context, HTTP_PATHS.commands, { method: "POST", body: "{}" });
    expect(requests[0]!.headers[VERSION_HEADER]).toBe(String(PROTOCOL_VERSION));
    expect(requests[0]!.headers.authorization).toBe("Bearer t0k");
    await httpRequest(context, HTTP_PATHS.health);
    expect(requests[1]!.headers[VERSION_HEADER]).toBeUndefined();
  });
});

describe("words for failures", () => {
  test("a refusal's come from ERROR_POLICY (or its issue), a missing answer's say so", () => {
    expect(failureText(new ProtocolError("internal", "stack trace here"))).toBe(ERROR_POLICY.internal.text);
    expect(failureText(new ProtocolError("validation", "Invalid", { issues: [{ path: ["name"], message: "Too long" }] }))).toBe("Too long");
    expect(failureText(new ConnectionError("network", "fetch failed"))).toMatch(/Can't reach the realtime service/);
    expect(failureText("???")).toBe(ERROR_POLICY.internal.text);
  });
});

describe("errors from answers", () => {
  test("an untyped answer gets the code of its status", () => {
    expect(errorFromAnswer({ status: 503, text: "<html>" }).code).toBe("unavailable");
    expect(errorFromAnswer({ status: 404, text: "" }).code).toBe("not_found");
    expect(errorFromAnswer({ status: 418, text: "" }).code).toBe("validation");
  });

  test("a refusal names its topics by issue path `[\"cursor\", topic]`, not by its words", () => {
    const named = new ProtocolError("forbidden", "Not allowed to read echo:a", {
      issues: [
        { path: ["cursor", "echo:b"], message: "Not allowed" },
        { path: ["payload", "text"], message: "unrelated" },
      ],
    });
    expect(topicsNamedBy(named)).toEqual(["echo:b"]);
    expect(topicsNamedBy(new ProtocolError("forbidden", "Not allowed to read echo:a"))).toEqual([]);
  });

  test("which codes end only a topic comes from ERROR_POLICY", () => {
    expect(endsTopic(new ProtocolError("forbidden", "x"))).toBe(true);
    expect(endsTopic(new ProtocolError("unauthorized", "x"))).toBe(false);
    expect(endsTopic(new ProtocolError("unsupported_version", "x"))).toBe(false);
    expect(endsTopic(new Error("x"))).toBe(false);
  });
});
