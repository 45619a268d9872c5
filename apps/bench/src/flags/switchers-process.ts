/**
 * The load process of `pnpm bench:flags` (pinned to CPU 1): N signed-in
 * guests, each with one SDK client following `transport.chat` in one chat
 * room. The orchestrator flips the flag; this process says when each client
 * was open on the new transport and what each received of the numbered messages.
 */
import type { TransportName } from "@repo/protocol";
import { serveApi } from "../ipc";
import { signInGuests, joinRoom } from "./guests";
import { Switcher, type IdsBySeq } from "./switcher";

let switchers: Switcher[] = [];
let ids: IdsBySeq = new Map();
/** Cumulative per-client figures at the start of the current row. */
let rowStart = { outOfOrder: 0, errors: 0, mismatched: 0, switches: 0 };

const sum = (pick: (switcher: Switcher) => number) => switchers.reduce((total, switcher) => total + pick(switcher), 0);
const totals = () => ({
  outOfOrder: sum((s) => s.ledger.outOfOrder),
  errors: sum((s) => s.errors),
  mismatched: sum((s) => s.mismatched),
  switches: sum((s) => s.switches),
});

const api = {
  /**
   * Signs in `count` guests, joins them to the room, then opens their clients
   * on `transport` (what the flag says now) 50 at a time, each subscribed to
   * the room and following the flag; resolves once all are open.
   */
  async open(args: { url: string; count: number; roomId: string; transport: TransportName }) {
    const say = (message: string) => console.log(`  ${message}`);
    const guests = await signInGuests(args.url, args.count, "Switcher", say);
    await joinRoom(args.url, guests, args.roomId, say);
    ids = new Map();
    const batch = 50;
    for (let start = 0; start < guests.length; start += batch) {
      const opened = guests.slice(start, start + batch).map((guest) => new Switcher(args.url, guest, args.roomId, args.transport, ids));
      switchers.push(...opened);
      await Promise.all(opened.map((switcher) => switcher.client.whenOpen(60_000)));
      if (switchers.length % 250 === 0 || switchers.length === guests.length) say(`${switchers.length}/${guests.length} clients open on ${args.transport}`);
    }
    return { opened: switchers.length };
  },

  /** How many clients are open on `transport`. */
  countOn(args: { transport: TransportName }) {
    return { on: switchers.filter((switcher) => switcher.isOpenOn(args.transport)).length, of: switchers.length };
  },

  beginRow() {
    rowStart = totals();
    return null;
  },

  /** Arms the flip: from now each client notes when it is first open on `to`. Call just before the flag changes. */
  watchFor(args: { to: TransportName }) {
    for (const switcher of switchers) switcher.watchFor(args.to);
    return null;
  },

  /** When each client was first open on the awaited transport (monotonic ms), and how many are not yet. */
  switchTimes() {
    const times: number[] = [];
    for (const switcher of switchers) if (switcher.openOnAwaitedAt !== undefined) times.push(switcher.openOnAwaitedAt);
    return { times, waiting: switchers.length - times.length };
  },

  /** Whether every client has every number in (after, through]. */
  allReceived(args: { after: number; through: number }) {
    return switchers.filter((switcher) => !switcher.ledger.hasAll(args.after, args.through)).length;
  },

  /** Up to `limit` clients still missing a number in (after, through]: where they stand, to tell slow from stuck. */
  stragglers(args: { after: number; through: number; limit: number }) {
    return switchers
      .filter((switcher) => !switcher.ledger.hasAll(args.after, args.through))
      .slice(0, args.limit)
      .map((switcher) => ({
        transport: switcher.client.transportInUse,
        status: switcher.client.status,
        firstMissing: switcher.ledger.firstMissing(args.after, args.through),
        highestSeen: switcher.ledger.highestSeen,
        missing: switcher.ledger.tally(args.after, args.through).lost,
      }));
  },

  /**
   * The row's reckoning over the numbers (after, through]: lost and doubled
   * over all clients, and the clients that missed any; arrivals out of order,
   * client errors, switches and id mismatches since beginRow. `publishedIds`
   * (message id of each number in the range, in order) is checked against
   * what the clients saw.
   */
  endRow(args: { after: number; through: number; publishedIds: string[] }) {
    let lost = 0;
    let doubled = 0;
    let clientsMissing = 0;
    for (const switcher of switchers) {
      const tally = switcher.ledger.tally(args.after, args.through);
      lost += tally.lost;
      doubled += tally.doubled;
      if (tally.lost > 0) clientsMissing++;
    }
    let foreignIds = 0;
    args.publishedIds.forEach((id, index) => {
      const seen = ids.get(args.after + 1 + index);
      if (seen !== undefined && seen !== id) foreignIds++;
    });
    const now = totals();
    const firstError = switchers.find((switcher) => switcher.firstError !== undefined)?.firstError;
    return {
      lost,
      doubled,
      clientsMissing,
      outOfOrder: now.outOfOrder - rowStart.outOfOrder,
      mismatched: now.mismatched - rowStart.mismatched + foreignIds,
      errors: now.errors - rowStart.errors,
      switches: now.switches - rowStart.switches,
      firstError,
    };
  },

  close() {
    for (const switcher of switchers) switcher.close();
    switchers = [];
    ids = new Map();
    return null;
  },
};

export type SwitchersApi = typeof api;

serveApi(api);
