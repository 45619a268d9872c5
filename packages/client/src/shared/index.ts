// `@repo/client/shared`: the shared-connection mode (one connection for every tab of an origin).
export { createSharedClient, SharedClient, type BroadcastChannelLike, type SharedClientEvents, type SharedClientOptions, type SharedRole, type ShareOptions } from "./shared-client";
export { browserLocks, memoryLocks, type LockManagerLike } from "./leader-lock";
