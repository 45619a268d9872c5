import { labPaths, type LabStreamsResponse } from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import type { Auth } from "../../auth/auth";
import { noStore } from "../../http/no-store";
import { requireUser } from "../../http/request-auth";
import type { LabStreams } from "./lab-streams";

/** GET /v1/lab/streams: the caller's running streams on this instance, and how many the instance runs. */
export function registerLabRoutes(app: FastifyInstance, auth: Auth, streams: LabStreams) {
  app.get(labPaths.streams, async (request, reply) => {
    const user = await requireUser(auth, request);
    noStore(reply);
    const body: LabStreamsResponse = { streams: streams.list(user), active: streams.stats().streams };
    return body;
  });
}
