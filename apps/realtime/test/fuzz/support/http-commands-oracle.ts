import { CommandResult, CommandResults, MAX_COMMAND_BYTES } from "@repo/protocol";
import { expect } from "vitest";
import { commandVerdict, type CommandVerdict } from "./command-arbitraries";
import { expectTypedRejection, type HttpAnswer } from "./http-answers";

/** The media type of a Content-Type header, lowercased, without parameters. */
function essence(contentType: string | undefined): string | undefined {
  return contentType?.split(";")[0]?.trim().toLowerCase();
}

/**
 * The oracle for `POST /v1/commands`: could the protocol accept this body?
 * Only a JSON body (or a text/plain one, which is a plain string) of at most
 * MAX_COMMAND_BYTES that parses as a `Command` can.
 */
export function httpCommandVerdict(body: string | Uint8Array, contentType: string | undefined): CommandVerdict {
  const bytes = typeof body === "string" ? Buffer.from(body) : Buffer.from(body);
  if (bytes.length > MAX_COMMAND_BYTES) return { valid: false, why: `body over ${MAX_COMMAND_BYTES} bytes` };
  const text = bytes.toString("utf8");
  const media = essence(contentType);
  if (media === "application/json") {
    try {
      return commandVerdict(JSON.parse(text));
    } catch {
      return { valid: false, why: "not JSON" };
    }
  }
  if (media === "text/plain") return commandVerdict(text);
  return { valid: false, why: `content type ${String(contentType)}` };
}

/**
 * Invariant 2 for a command answer: a valid command may succeed (200 and a
 * CommandResult whose result matches CommandResults[type]); anything else is a
 * typed rejection whose body, if it is a command result, says `ok: false`.
 * Returns whether the command was accepted (only then may the database change).
 */
export function expectCommandAnswer(answer: HttpAnswer, verdict: CommandVerdict, what: string): boolean {
  if (verdict.valid && answer.status === 200) {
    const result = CommandResult.safeParse(answer.json);
    expect(result.success, `${what}: 200 must carry a CommandResult, got ${answer.text.slice(0, 300)}`).toBe(true);
    expect(result.data, `${what}: 200 answer`).toMatchObject({ ok: true, id: verdict.command.id });
    if (result.data?.ok) {
      const typed = CommandResults[verdict.command.type].safeParse(result.data.result);
      expect(typed.success, `${what}: result must match CommandResults[${verdict.command.type}]: ${answer.text.slice(0, 300)}`).toBe(true);
    }
    return true;
  }
  expectTypedRejection(answer, `${what} (${verdict.valid ? "valid command" : verdict.why})`);
  if (answer.json !== null && typeof answer.json === "object" && "ok" in answer.json) {
    const result = CommandResult.safeParse(answer.json);
    expect(result.success && !result.data.ok, `${what}: a failed command answers { ok: false, id, error }: ${answer.text.slice(0, 300)}`).toBe(true);
  }
  return false;
}
