/** Why `pnpm cluster` could not start or keep running: one code per cause, a message that says what to do. */
export type ClusterErrorCode =
  | "bad_option"
  | "postgres_unreachable"
  | "redis_unreachable"
  | "nginx_missing"
  | "port_in_use"
  | "build_failed"
  | "start_failed"
  | "child_exited";

export class ClusterError extends Error {
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ClusterError";
  }
}
