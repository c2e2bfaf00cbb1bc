import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Listening {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops listening and drops open connections, so a test never waits on a keep-alive socket. */
  close(): Promise<void>;
}

/** Listens on a random loopback port and tracks connections so `close()` ends promptly. */
export async function listenOnLoopback(server: Server): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}
