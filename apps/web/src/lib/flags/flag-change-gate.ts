/**
 * Decides which `flags.changed` events make the OpenFeature provider refetch. Every feature
 * client follows `flags:changes` on its own transport (so a change gets through whichever
 * transport works), so one change arrives up to once per client: it is the same event at the
 * same position of the topic, and is acted on once. Keyed by position, not by etag alone: an
 * undo brings an earlier etag back, and that is a change to act on again.
 */
export class FlagChangeGate {
  private epoch: string | null = null;
  private offset = 0;

  /** True the first time this change (its topic position) is heard. */
  admit(change: { epoch: string; offset: number }): boolean {
    if (change.epoch === this.epoch && change.offset <= this.offset) return false;
    // A new epoch (the service lost the topic's history, e.g. a restart) starts over.
    this.epoch = change.epoch;
    this.offset = change.offset;
    return true;
  }
}
