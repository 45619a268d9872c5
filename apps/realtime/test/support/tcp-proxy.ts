import { createServer, connect, type Socket } from "node:net";

export interface TcpProxy {
  /** Where to connect instead of the target. */
  port: number;
  /** A network cut: every open connection is reset and new ones are refused until `restore`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy the test controls, between a service and what it depends on (Redis,
 * PostgreSQL): the network cut there is no Toxiproxy for on these machines. Binds 127.0.0.1.
 */
export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("tcp-proxy: no TCP address");
  function cut() {
    down = true;
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
  }
  return {
    port: address.port,
    cut,
    restore() {
      down = false;
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
