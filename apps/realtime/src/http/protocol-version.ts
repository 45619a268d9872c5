import {
  API_PREFIX,
  PROTOCOL_VERSION,
  ProtocolError,
  SUPPORTED_PROTOCOL_VERSIONS,
  VERSION_HEADER,
  VERSION_QUERY,
} from "@repo/protocol";
import type { FastifyInstance } from "fastify";

/**
 * The protocol version a client asked for, or `unsupported_version` when this
 * server cannot serve it (see the protocol's version.ts). No version at all
 * is the current one, so curl and bare tools keep working.
 */
export function negotiateVersion(requested: unknown): number {
  if (requested === undefined || requested === "") return PROTOCOL_VERSION;
  const version = typeof requested === "string" && /^\d{1,4}$/.test(requested) ? Number(requested) : typeof requested === "number" ? requested : NaN;
  if (SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return version;
  const supported = SUPPORTED_PROTOCOL_VERSIONS.join(", ");
  throw new ProtocolError("unsupported_version", `This server speaks protocol version ${supported}; the client asked for another`, {
    issues: [{ path: [VERSION_QUERY], message: `Supported protocol versions: ${supported}` }],
  });
}

/** Every `/v1/...` request may name its version, as a header or (for URLs an EventSource opens) the `v` query parameter. */
export function registerProtocolVersion(app: FastifyInstance) {
  // Callback style on purpose: no extra promise tick before the routes' own hooks (the drain check races close()).
  app.addHook("onRequest", (request, _reply, done) => {
    if (!request.url.startsWith(`${API_PREFIX}/`)) return done();
    const query = request.query as Record<string, unknown> | undefined;
    try {
      negotiateVersion(request.headers[VERSION_HEADER] ?? query?.[VERSION_QUERY]);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
}
