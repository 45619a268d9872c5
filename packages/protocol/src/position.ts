import { z } from "zod";

/**
 * A position in one topic's log. `offset` is the offset of the last event the
 * client has seen (0: none yet). `epoch` names the log's lifetime: it changes
 * when the server loses history, so an old cursor can never silently match a
 * new log.
 */
export const Position = z.object({
  epoch: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
  offset: z.number().int().nonnegative(),
});
export type Position = z.infer<typeof Position>;
