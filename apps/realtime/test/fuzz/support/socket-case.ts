import { ClosingNotice, CommandResult, CommandResults, ErrorBody, StreamReady } from "@repo/protocol";
import { expect } from "vitest";
import { z } from "zod";
import type { CommandVerdict } from "./command-arbitraries";
import { describeValue } from "./fuzz-config";
import type { FuzzTarget } from "./fuzz-server";
import { RawSocket, ackArgs, ackMatcher, type RawMessage } from "../../support/raw-socket";

/** The probe sent after every fuzzed frame: an `unsubscribe` of nothing, acked `{ ok: true }` by a live socket. */
export const PROBE_ACK_ID = "777777";
const PROBE = `42${PROBE_ACK_ID}["unsubscribe",{"topics":[]}]`;

/** The server ended the namespace: `41` (disconnect) or `44…` (connect error). */
function endsNamespace(m: RawMessage): boolean {
  return m.kind === "text" && (m.text === "41" || m.text.startsWith("44"));
}

/** A typed socket failure: `{ ok: false, error: ErrorBody }` whose code is not `internal`. */
const FailedAck = z.object({ ok: z.literal(false), error: ErrorBody });
const SubscribeOk = z.object({ ok: z.literal(true) }).and(StreamReady);
const UnsubscribeOk = z.object({ ok: z.literal(true) });

/** What one fuzzed frame asks of the server, by the protocol's own schemas. */
export type FrameExpectation =
  /** An acked `command`: a typed ack (ok only when valid) or a close. */
  | { kind: "command"; ackId: string; verdict: CommandVerdict }
  /** An acked `subscribe`: a typed ack (ok only when the cursor is valid) or a close. */
  | { kind: "subscribe"; ackId: string; valid: boolean }
  /** An acked `unsubscribe`: `{ ok: true }`, a typed failure, or a close. */
  | { kind: "unsubscribe"; ackId: string }
  /** Anything else (no ack asked, unknown event, broken frame): the probe is answered, or the socket is closed. */
  | { kind: "other" };

function expectTypedFailure(answer: unknown, what: string) {
  const failed = FailedAck.safeParse(answer);
  expect(failed.success, `${what}: ack must be { ok: false, error: ErrorBody }, got ${describeValue(answer)}`).toBe(true);
  expect(failed.data?.error.code, `${what}: a fuzzed frame must never be an internal error`).not.toBe("internal");
}

/** Checks one ack against the expectation; returns true when a command was accepted. */
function checkAck(expectation: Exclude<FrameExpectation, { kind: "other" }>, message: RawMessage, what: string): boolean {
  const args = ackArgs(message);
  expect(args.length, `${what}: an ack carries one answer`).toBe(1);
  const answer = args[0];
  const ok = (answer as { ok?: unknown } | null)?.ok === true;
  switch (expectation.kind) {
    case "command": {
      if (expectation.verdict.valid && ok) {
        const result = CommandResult.safeParse(answer);
        expect(result.success && result.data.ok, `${what}: ok ack must be a CommandResult`).toBe(true);
        const command = expectation.verdict.command;
        expect((answer as { id?: unknown }).id, `${what}: ack id`).toBe(command.id);
        const typed = CommandResults[command.type].safeParse((answer as { result?: unknown }).result);
        expect(typed.success, `${what}: result must match CommandResults[${command.type}]: ${describeValue(answer)}`).toBe(true);
        return true;
      }
      expect(CommandResult.safeParse(answer).success, `${what}: ack must be a CommandResult, got ${describeValue(answer)}`).toBe(true);
      expectTypedFailure(answer, `${what} (${expectation.verdict.valid ? "valid command" : expectation.verdict.why})`);
      return false;
    }
    case "subscribe":
      if (expectation.valid && ok) {
        expect(SubscribeOk.safeParse(answer).success, `${what}: ok subscribe ack must be { ok, v, cursor }: ${describeValue(answer)}`).toBe(true);
      } else {
        expectTypedFailure(answer, `${what} (${expectation.valid ? "valid cursor" : "invalid subscribe"})`);
      }
      return false;
    case "unsubscribe":
      if (ok) expect(UnsubscribeOk.safeParse(answer).success, `${what}: unsubscribe ack`).toBe(true);
      else expectTypedFailure(answer, what);
      return false;
  }
}

/** A `closing` notice before a close must say `protocol_error` (the client broke the protocol). */
function checkClosingNotices(socket: RawSocket, what: string) {
  for (const event of socket.events) {
    if (event.name !== "closing") continue;
    const notice = ClosingNotice.safeParse(event.args[0]);
    expect(notice.success, `${what}: closing notice must match ClosingNotice: ${describeValue(event.args)}`).toBe(true);
    expect(notice.data?.reason, `${what}: closing reason`).toBe("protocol_error");
  }
}

/**
 * One raw-frame case on a fresh, authenticated socket: send the frames, then
 * check invariant 2 (a typed ack, or a close; never a hang), probe that the
 * socket is either alive and answering or closed, check invariant 3 (the
 * database is unchanged unless a command was accepted), then invariant 1.
 * Returns whether a command was accepted.
 */
export async function runFrameCase(
  t: FuzzTarget,
  frames: Array<string | Buffer>,
  expectation: FrameExpectation,
  what: string,
  options: { socket?: RawSocket } = {},
): Promise<boolean> {
  const before = await t.digest();
  const socket = options.socket ?? (await RawSocket.connect(t.baseUrl, t.fuzzer.token));
  let accepted = false;
  try {
    const from = socket.messages.length;
    for (const frame of frames) socket.send(frame);
    if (expectation.kind !== "other") {
      const isAck = ackMatcher(expectation.ackId);
      const ack = await t.errors.guard(
        what,
        socket.waitFor((m) => isAck(m) || endsNamespace(m), undefined, `ack ${expectation.ackId}`, from),
      );
      if (ack && isAck(ack)) accepted = checkAck(expectation, ack, what);
    }
    // A namespace-level disconnect (`41`) or refusal (`44`) counts as closed; an open socket must still answer.
    if (socket.open && !socket.messages.slice(from).some(endsNamespace)) {
      const probeFrom = socket.messages.length;
      socket.send(PROBE);
      const isProbeAck = ackMatcher(PROBE_ACK_ID);
      const probe = await t.errors.guard(
        what,
        socket.waitFor((m) => isProbeAck(m) || endsNamespace(m), undefined, "probe ack", probeFrom),
      );
      if (probe && isProbeAck(probe)) expect(ackArgs(probe), `${what}: probe ack`).toEqual([{ ok: true }]);
    }
    checkClosingNotices(socket, what);
  } finally {
    socket.close();
  }
  if (!accepted) await t.expectDatabaseUnchanged(before, what);
  await t.caseDone(what);
  return accepted;
}
