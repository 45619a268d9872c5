/**
 * Version of the wire protocol. Bump it on any change that an older client
 * could misread; every HTTP response and socket handshake carries it.
 */
export const PROTOCOL_VERSION = 1 as const;
