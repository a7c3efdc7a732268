// Starting and stopping a node HTTP(S) listener, the one way every server here does it (screen, integration
// API, health, fleet collector and its metrics): listen resolves with the bound port or rejects with the
// listen error (EADDRINUSE, EACCES…), and stopServer drops the open connections first, because
// server.close() alone waits for every keep-alive connection to go idle on its own.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens; resolves once bound with the port (the one chosen when `port` is 0). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * listen(), and when it fails, `unwind` (what the caller set up before listening: subscriptions, timers,
 * the server itself) runs before the listen error reaches the caller.
 */
export async function listenOrUnwind(server: Server, port: number, host: string, unwind: () => Promise<void>): Promise<number> {
  try {
    return await listen(server, port, host);
  } catch (e) {
    await unwind();
    throw e;
  }
}

/** Closes every open connection and, if it is listening, the server; resolves when it is closed. */
export async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  if (server.listening) await new Promise<void>((r) => server.close(() => r()));
}
