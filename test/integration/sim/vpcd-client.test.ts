// The vpcd client against a fake vpcd (a loopback TCP server that speaks the vpcd side of the protocol),
// so framing edge cases (split frames, several frames per segment) can be produced on purpose.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, VpcdClient } from '../../../drivers/sim/vpcd-client.ts';
import type { VirtualCard } from '../../../drivers/sim/virtual-card.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Echo card: answers data ‖ 9000 where data = the APDU reversed; counts resets. */
class EchoCard implements VirtualCard {
  readonly atr = h('3B8F8001');
  resets = 0;
  seen: Buffer[] = [];
  reset(): void {
    this.resets++;
  }
  process(apdu: Buffer): Buffer {
    this.seen.push(apdu);
    return Buffer.concat([Buffer.from(apdu).reverse(), h('9000')]);
  }
}

interface FakeVpcd {
  server: Server;
  port: number;
  sockets: Socket[];
  /** Frames received from the card, in order. */
  frames: Buffer[];
  nextFrame(): Promise<Buffer>;
  accepted(): Promise<Socket>;
  close(): Promise<void>;
}

async function fakeVpcd(port = 0): Promise<FakeVpcd> {
  const frames: Buffer[] = [];
  const sockets: Socket[] = [];
  const frameWaiters: Array<(b: Buffer) => void> = [];
  let acceptWaiters: Array<(s: Socket) => void> = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.setNoDelay(true);
    const dec = new FrameDecoder();
    s.on('data', (c) => {
      for (const f of dec.push(c)) {
        const w = frameWaiters.shift();
        if (w) w(f);
        else frames.push(f);
      }
    });
    s.on('error', () => {});
    const a = acceptWaiters;
    acceptWaiters = [];
    a.forEach((w) => w(s));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const addr = server.address();
  return {
    server,
    port: typeof addr === 'object' && addr ? addr.port : 0,
    sockets,
    frames,
    nextFrame: () => (frames.length ? Promise.resolve(frames.shift()!) : new Promise((r) => frameWaiters.push(r))),
    accepted: () => (sockets.length ? Promise.resolve(sockets[sockets.length - 1]!) : new Promise((r) => acceptWaiters.push(r))),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: ConstructorParameters<typeof VpcdClient>[1] = {}) {
  const vpcd = await fakeVpcd();
  const card = new EchoCard();
  const client = new VpcdClient(card, { port: vpcd.port, ...opts });
  cleanups.push(
    () => vpcd.close(),
    () => client.close(),
  );
  await client.insert();
  const sock = await vpcd.accepted();
  return { vpcd, card, client, sock };
}

describe('VpcdClient over TCP', () => {
  it('answers get-ATR, resets on power/reset, and answers APDUs in order', async () => {
    const { vpcd, card, sock } = await setup();
    sock.write(encodeFrame(h('04')));
    expect((await vpcd.nextFrame()).toString('hex')).toBe('3b8f8001');
    sock.write(Buffer.concat([encodeFrame(h('01')), encodeFrame(h('02')), encodeFrame(h('00'))]));
    sock.write(encodeFrame(h('00B0000004')));
    expect((await vpcd.nextFrame()).toString('hex')).toBe('040000b0009000');
    expect(card.resets).toBe(3);
  });

  it('handles a frame split across TCP segments and several APDUs in one segment', async () => {
    const { vpcd, sock } = await setup();
    const wire = Buffer.concat([encodeFrame(h('00A4040C020102')), encodeFrame(h('00B0000010')), encodeFrame(h('80CA9F7F00'))]);
    sock.write(wire.subarray(0, 1));
    await new Promise((r) => setTimeout(r, 20));
    sock.write(wire.subarray(1, 6));
    await new Promise((r) => setTimeout(r, 20));
    sock.write(wire.subarray(6));
    const got = [await vpcd.nextFrame(), await vpcd.nextFrame(), await vpcd.nextFrame()];
    expect(got.map((b) => b.toString('hex'))).toEqual(['0201020c04a4009000', '100000b0009000', '007f9fca809000']);
  });

  it('keeps order with an asynchronous per-APDU delay', async () => {
    const delays = [60, 0, 20];
    const { vpcd, sock } = await setup({ apduDelay: (_a, i) => delays[i] ?? 0 });
    sock.write(Buffer.concat([encodeFrame(h('0001')), encodeFrame(h('0002')), encodeFrame(h('0003'))]));
    const got = [await vpcd.nextFrame(), await vpcd.nextFrame(), await vpcd.nextFrame()];
    expect(got.map((b) => b.toString('hex'))).toEqual(['01009000', '02009000', '03009000']);
  });

  it('drops the connection without answering after N APDUs (card pulled mid-read)', async () => {
    const { vpcd, client, sock, card } = await setup({ dropAfterApdus: 2 });
    const gone = new Promise((r) => client.once('disconnected', r));
    const closed = new Promise((r) => sock.once('close', r));
    sock.write(Buffer.concat([encodeFrame(h('0001')), encodeFrame(h('0002')), encodeFrame(h('0003'))]));
    expect(await gone).toBe('fault');
    await closed;
    expect(card.seen).toHaveLength(2);
    expect(vpcd.frames.length).toBeLessThanOrEqual(2);
    expect(client.connected).toBe(false);
    // The card stays out until inserted again.
    await client.insert();
    expect(client.connected).toBe(true);
  });

  it('remove() closes the socket (card out); insert() connects again', async () => {
    const { vpcd, client, sock } = await setup();
    const closed = new Promise((r) => sock.once('close', r));
    const reason = new Promise((r) => client.once('disconnected', r));
    await client.remove();
    await closed;
    expect(await reason).toBe('removed');
    const again = vpcd.accepted();
    vpcd.sockets.length = 0;
    await client.insert();
    expect(await again).toBeTruthy();
  });

  it('retries until vpcd listens, and reconnects when vpcd goes away and comes back', async () => {
    // Find a free port, then start listening on it only after the client began trying.
    const probe = await fakeVpcd();
    const port = probe.port;
    await probe.close();
    const card = new EchoCard();
    const client = new VpcdClient(card, { port, retryMs: 10, retryMaxMs: 40 });
    cleanups.push(() => client.close());
    const inserted = client.insert();
    await new Promise((r) => setTimeout(r, 100));
    expect(client.connected).toBe(false);
    const vpcd = await fakeVpcd(port);
    await inserted;
    expect(client.connected).toBe(true);
    const reason = new Promise((r) => client.once('disconnected', r));
    await vpcd.close();
    expect(await reason).toBe('vpcd-closed');
    const back = await fakeVpcd(port);
    cleanups.push(() => back.close());
    await new Promise<void>((r) => client.once('connected', () => r()));
    const s = await back.accepted();
    s.write(encodeFrame(h('04')));
    expect((await back.nextFrame()).toString('hex')).toBe('3b8f8001');
  });

  it('insert() gives up after connectTimeoutMs', async () => {
    const probe = await fakeVpcd();
    const port = probe.port;
    await probe.close();
    const client = new VpcdClient(new EchoCard(), { port, retryMs: 10, connectTimeoutMs: 150 });
    cleanups.push(() => client.close());
    await expect(client.insert()).rejects.toThrow(/not reachable/);
  });
});
