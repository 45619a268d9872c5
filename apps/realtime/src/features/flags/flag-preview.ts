import { FlagdCore } from "@openfeature/flagd-core";
import type { Logger } from "@openfeature/core";
import { NO_VARIANT, type FlagPreview, type FlagsPreviewResponse } from "@repo/protocol";
import { changedFlagKeys } from "../../flags/flag-store";
import { evaluationContextOf } from "../../flags/service-flags";
import type { ConnectedUser } from "../../subscriptions/connection-registry";

const quiet: Logger = { error() {}, warn() {}, info() {}, debug() {} };
/** Users evaluated between yields to the event loop: a large audience never stalls the service. */
const USERS_PER_SLICE = 500;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Outcome {
  variant: string;
  /** The value as JSON, so an edited variant value counts as a change even under the same variant name. */
  value: string;
}

function throwawayCore(definitions: string): FlagdCore {
  const core = new FlagdCore(undefined, quiet);
  core.setConfigurations(definitions);
  return core;
}

/** What one flag gives one user; a flag that is off, missing or failing gives NO_VARIANT. */
function outcomeOf(core: FlagdCore, key: string, user: ConnectedUser): Outcome {
  const flag = core.getFlag(key);
  if (!flag || flag.state === "DISABLED") return { variant: NO_VARIANT, value: "" };
  const resolution = flag.evaluate(evaluationContextOf(user), quiet);
  if (resolution.value === undefined) return { variant: NO_VARIANT, value: "" };
  return { variant: resolution.variant ?? NO_VARIANT, value: JSON.stringify(resolution.value) };
}

interface Tally {
  flag: string;
  affected: number;
  /** Maps, not objects: a variant may be called anything, "__proto__" included. */
  before: Map<string, number>;
  after: Map<string, number>;
  /** "from\0to" → users. */
  moves: Map<string, number>;
}

const emptyTally = (flag: string): Tally => ({ flag, affected: 0, before: new Map(), after: new Map(), moves: new Map() });

const bump = (counts: Map<string, number>, key: string) => {
  counts.set(key, (counts.get(key) ?? 0) + 1);
};

/**
 * Who among `users` would get a different value if `next` replaced `current`,
 * flag by flag, with the split by variant before and after. Evaluates over
 * two throwaway flagd cores with the service's own evaluation context (so the
 * preview and the live store bucket every user alike), never the live store.
 * Both documents must be valid already. Work is users × changed flags, the
 * users de-duplicated (and bounded by the connection caps).
 */
export async function previewFlagChange(current: string, next: string, users: readonly ConnectedUser[]): Promise<FlagsPreviewResponse> {
  const flagsChanged = changedFlagKeys(current, next);
  const before = throwawayCore(current);
  const after = throwawayCore(next);
  const tallies = flagsChanged.map(emptyTally);
  for (let i = 0; i < users.length; i++) {
    if (i > 0 && i % USERS_PER_SLICE === 0) await yieldToLoop();
    const user = users[i]!;
    for (const tally of tallies) {
      const was = outcomeOf(before, tally.flag, user);
      const will = outcomeOf(after, tally.flag, user);
      bump(tally.before, was.variant);
      bump(tally.after, will.variant);
      if (was.variant !== will.variant || was.value !== will.value) {
        tally.affected++;
        const move = `${was.variant}\u0000${will.variant}`;
        bump(tally.moves, move);
      }
    }
  }
  const flags: FlagPreview[] = tallies.map((tally) => ({
    flag: tally.flag,
    affected: tally.affected,
    before: Object.fromEntries(tally.before),
    after: Object.fromEntries(tally.after),
    moves: [...tally.moves]
      .map(([move, count]) => {
        const [from = NO_VARIANT, to = NO_VARIANT] = move.split("\u0000");
        return { from, to, users: count };
      })
      .sort((a, b) => b.users - a.users),
  }));
  return { connectedUsers: users.length, flagsChanged, flags };
}
