import { ERROR_POLICY, ProtocolError, type CursorMap, type Topic } from "@repo/protocol";
import { ConnectionError } from "./errors";
import type { Subscriptions } from "./subscriptions";

/** A refusal of the topics asked for, not of the connection (ERROR_POLICY `endsTopic`): drop those topics and carry on. */
export function endsTopic(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError && ERROR_POLICY[error.code].endsTopic;
}

/** The topics an error names through its issue paths: `["cursor", topic]`, as the server refuses a topic. */
export function topicsNamedBy(error: ProtocolError): Topic[] {
  const named: Topic[] = [];
  for (const { path } of error.issues ?? []) {
    const [field, topic] = path;
    if (path.length === 2 && field === "cursor" && typeof topic === "string") named.push(topic);
  }
  return named;
}

export interface RefusalDeps {
  subscriptions: Subscriptions;
  /** One short poll for `cursors`: the typed refusal, or null when served (throws when there is no answer). */
  probe(cursors: CursorMap): Promise<ProtocolError | null>;
  /** Whether the client was closed meanwhile. */
  closed(): boolean;
  /** Nothing could be pinned on one topic: the connection of `generation` counts as failed. */
  failed(generation: number, error: unknown): void;
}

/**
 * Some topics were refused. Which ones: those the error's issue paths name
 * (`["cursor", topic]`), else the transport's hint (the batch it asked for).
 * When neither tells, each followed topic is probed alone with one short poll.
 * Refused subscriptions end with `onError`; the others carry on.
 */
export class Refusals {
  constructor(private readonly deps: RefusalDeps) {}

  refuse(generation: number, error: ProtocolError, hint?: Topic[]): void {
    const { subscriptions } = this.deps;
    const named = topicsNamedBy(error).filter((topic) => subscriptions.has(topic));
    const refused = named.length > 0 ? named : (hint ?? []).filter((topic) => subscriptions.has(topic));
    if (refused.length > 0) subscriptions.end([...new Set(refused)].map((topic) => [topic, error]));
    else void this.probeEach(generation, error);
  }

  private async probeEach(generation: number, error: ProtocolError): Promise<void> {
    const { subscriptions } = this.deps;
    const found: Array<[Topic, ProtocolError]> = [];
    await Promise.all(
      Object.entries(subscriptions.cursors()).map(async ([topic, position]) => {
        try {
          const refusal = await this.deps.probe({ [topic]: position });
          if (endsTopic(refusal)) found.push([topic, refusal]);
        } catch {
          // Unreachable now: the reconnect below finds out.
        }
      }),
    );
    if (this.deps.closed()) return;
    const refused = found.filter(([topic]) => subscriptions.has(topic));
    if (refused.length > 0) subscriptions.end(refused);
    else this.deps.failed(generation, new ConnectionError("network", `Refused, but no topic on its own: ${error.message}`));
  }
}
