// Loopback helpers for tests that start servers: a free TCP port, and a server that accepts connections
// and never answers (the "responder hangs" case for deadline tests).
import { createServer, type Socket } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (bind it soon: another process may take it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface SilentServer {
  port: number;
  close(): void;
}

/** A server on 127.0.0.1 that accepts every connection and never writes a byte. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
