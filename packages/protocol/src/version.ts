/**
 * Version of the wire protocol. Bump it on any change that an older client
 * could misread, and keep the old number in SUPPORTED_PROTOCOL_VERSIONS for as
 * long as the server still serves it.
 *
 * Negotiation: the SDK sends its version on every transport: the `v` query
 * parameter on poll, long-poll and SSE URLs, the `x-switchboard-version` header
 * on other HTTP requests, and `auth.v` in the socket.io handshake. A server
 * that cannot serve it answers `unsupported_version` (HTTP 400, or a refused
 * socket handshake) with the versions it speaks in the issue message, and the
 * client stops (a reload brings a matching app). A request without a version
 * (curl, a bare tool) is served as the current version. Every poll answer and
 * stream start carries the version the server spoke (`v`).
 */
export const PROTOCOL_VERSION = 1 as const;

/** Every version this build of the server can serve. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

/** Where the version travels: query parameter (URLs an EventSource opens), header, socket.io `auth` field. */
export const VERSION_QUERY = "v";
export const VERSION_HEADER = "x-switchboard-version";
export const VERSION_AUTH_FIELD = "v";
