import type { BenchPayload } from "../message";

/** A server under test, as the server process drives it. */
export interface BenchServer {
  /** Base URL (http://127.0.0.1:port). */
  url: string;
  /** Publishes one bench message to every subscriber. */
  publish(seq: number, payload: BenchPayload): void;
  /** Open TCP connections on the server's listening socket. */
  connections(): Promise<number>;
  close(): Promise<void>;
}
