// A TCP proxy in front of the collector that loses what a real network loses: the answer to a request
// the server already processed (the acknowledgement), or the rest of a request after its first bytes.
import { connect, createServer, type Server, type Socket } from 'node:net';

export /** Forwards TCP to the collector; can drop the server's answers or cut requests after a few bytes. */
class FlakyProxy {
  dropResponses = false;
  cutRequestsAfter: number | null = null;
  private readonly live = new Set<Socket>();
  private server!: Server;
  port = 0;

  constructor(private readonly target: () => number) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target(), '127.0.0.1');
      this.live.add(client).add(upstream);
      let sent = 0;
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.live.delete(client);
        this.live.delete(upstream);
      };
      client.on('data', (d: Buffer) => {
        if (this.cutRequestsAfter !== null && sent + d.length > this.cutRequestsAfter) {
          upstream.write(d.subarray(0, Math.max(0, this.cutRequestsAfter - sent)));
          return end();
        }
        sent += d.length;
        upstream.write(d);
      });
      upstream.on('data', (d: Buffer) => (this.dropResponses ? end() : client.write(d)));
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    for (const s of this.live) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}
