import type { TopicKind } from "@repo/protocol";
import { defineFeature } from "../../src/features/feature";

/** A test feature that lets anyone signed in read every topic of the given kinds (the tests publish to them directly). */
export function openTopics(...kinds: TopicKind[]) {
  return defineFeature({
    name: `test-open-${kinds.join("-")}`,
    create: () => ({ topics: Object.fromEntries(kinds.map((kind) => [kind, () => true])) }),
  });
}
