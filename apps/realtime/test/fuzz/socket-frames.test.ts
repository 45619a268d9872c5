import { describe, test } from "vitest";
import {
  ackId,
  badPacketCase,
  binaryCase,
  deepNestingCase,
  eventFrame,
  f1Frame,
  sizeLimitCase,
  strayBinaryCase,
  unknownEventCase,
  wrongArgumentsCase,
  type FrameCase,
} from "./support/frame-arbitraries";
import { describeValue, fuzzEdge, printSummaryAfterAll } from "./support/fuzz-config";
import { useFuzzServer } from "./support/fuzz-server";
import { fc } from "@fast-check/vitest";
import { runFrameCase } from "./support/socket-case";

/*
 * Raw engine.io / socket.io frames no real client sends: deep nesting (review
 * F1), unknown and reserved event names, wrong argument lists, broken packets,
 * binary attachments, huge ack ids, and frames at and past the size limit.
 */
const target = useFuzzServer();
printSummaryAfterAll("socket-frames");

const run = (c: FrameCase) => runFrameCase(target(), c.frames, c.expectation, describeValue(c.label, 200));

const example = (frame: string): [FrameCase] => {
  const parsed = /^42(\d*)\[("[^"]*"),(.*)\]$/s.exec(frame);
  return [eventFrame(parsed![2]!, [parsed![3]!], parsed![1] || undefined)];
};

describe("raw socket.io frames", () => {
  fuzzEdge("socket frames: deep nesting in every known event (F1)", [deepNestingCase], run, {
    examples: [example(f1Frame(8000)), example(f1Frame(6000, "7")), example(`421["command",${'{"a":'.repeat(3000)}1${"}".repeat(3000)}]`)],
  });
  fuzzEdge("socket frames: unknown and reserved event names", [unknownEventCase], run, {
    examples: [example('421["disconnecting",{}]'), example('421["__proto__",{}]'), example('421["error",{}]')],
  });
  fuzzEdge("socket frames: known events with wrong arguments", [wrongArgumentsCase], run);
  fuzzEdge("socket frames: bad packet types and malformed encodings", [badPacketCase], run);
  fuzzEdge("socket frames: binary attachments", [binaryCase], run);
  fuzzEdge("socket frames: stray binary frames", [strayBinaryCase], run);
  fuzzEdge("socket frames: at and over the size limit", [sizeLimitCase], run);
  fuzzEdge(
    "socket frames: huge ack ids",
    [fc.tuple(ackId, fc.constantFrom("command", "subscribe", "unsubscribe"))],
    ([id, name]) => run(eventFrame(JSON.stringify(name), [name === "unsubscribe" ? '{"topics":[]}' : "{}"], id)),
    { examples: [[["9".repeat(400), "command"]], [["18446744073709551616", "subscribe"]]] },
  );

  test("the service is still serving after the raw frame fuzzing", async () => {
    await target().expectServing("after raw socket.io frame fuzzing");
  });
});
