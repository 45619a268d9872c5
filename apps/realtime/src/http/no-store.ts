import type { FastifyReply } from "fastify";

/** Per-user answers that change all the time: never cached by the browser or a proxy. */
export function noStore(reply: FastifyReply) {
  reply.header("cache-control", "private, no-store");
}
