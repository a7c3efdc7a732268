// The screen's WebSocket had no 'error' listener: one malformed frame was an uncaught exception that
// stopped the daemon (websockets/ws#1543), and `{"v":{"toString":" "},"type":"cancel"}` threw inside the
// message validator (issue 17). Every frame below violates RFC 6455 (§5.1 masking, §5.2 RSV bits and
// reserved opcodes, §5.5.1 close codes, §7.4.1 reserved codes 1005/1006, §8.1 UTF-8) or the daemon's
// 4 KiB frame limit: that one socket is closed, and the daemon keeps serving the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import { parseClientMessage } from '../../../daemon/server/protocol.ts';
import { decodeServerFrames, encodeFrame, rawGet, rawWebSocket, type RawFrame } from './raw-client.ts';

let kiosk: Kiosk;
const logs: string[] = [];
beforeAll(async () => {
  kiosk = await startKiosk({
    config: parseConfig({ server: { port: 0 } }),
    simulated: true,
    log: (l) => logs.push(l),
    operations: { healthServer: false, env: {} },
  });
}, 30_000);
afterAll(async () => {
  await kiosk?.stop();
});

const path = () => `/ws?token=${kiosk.server.token}`;
const closeCode = (code: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return b;
};
const text = (s: string) => Buffer.from(s, 'utf8');

const KILLERS: Record<string, RawFrame> = {
  'oversized frame (declares 1 MiB)': { opcode: 1, payload: Buffer.alloc(16), declaredLength: 1 << 20 },
  'text frame of 5000 bytes (over maxPayload)': { opcode: 1, payload: Buffer.alloc(5000, 0x20) },
  'invalid UTF-8': { opcode: 1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) },
  'unmasked client frame': { opcode: 1, payload: text('{}'), masked: false },
  'RSV1 set (no extension negotiated)': { opcode: 1, rsv: 4, payload: text('{}') },
  'RSV2 set': { opcode: 1, rsv: 2, payload: text('{}') },
  'RSV3 set': { opcode: 1, rsv: 1, payload: text('{}') },
  'reserved data opcode 0x3': { opcode: 3, payload: text('{}') },
  'reserved control opcode 0xB': { opcode: 0xb, payload: Buffer.alloc(0) },
  'close code 999': { opcode: 8, payload: closeCode(999) },
  'close code 1005 (reserved)': { opcode: 8, payload: closeCode(1005) },
  'close frame with a 1-byte payload': { opcode: 8, payload: Buffer.from([3]) },
  'fragmented control frame': { opcode: 9, fin: false, payload: Buffer.alloc(0) },
  'continuation without a start': { opcode: 0, payload: text('{}') },
};

/** A well-behaved client still gets hello + state: the daemon is alive and serving. */
async function screenStillServes(): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${kiosk.server.port}${path()}`);
  const first = await new Promise<any>((resolve, reject) => {
    ws.once('message', (d) => resolve(JSON.parse(String(d))));
    ws.once('error', reject);
  });
  expect(first.type).toBe('hello');
  ws.close();
  expect(await rawGet(kiosk.server.port, '/healthz')).toBe(200);
}

describe('screen WebSocket: malformed frames close that socket only', () => {
  for (const [name, frame] of Object.entries(KILLERS)) {
    it(name, async () => {
      const c = await rawWebSocket(kiosk.server.port, path());
      c.socket.write(encodeFrame(frame));
      await Promise.race([c.closed, new Promise((r) => setTimeout(r, 5000))]);
      expect(c.socket.destroyed || c.socket.readableEnded).toBe(true);
      await screenStillServes();
    });
  }

  it('21 killer frames in a row (more than systemd StartLimitBurst=20) leave the daemon serving', async () => {
    for (let i = 0; i < 21; i++) {
      const c = await rawWebSocket(kiosk.server.port, path());
      c.socket.write(encodeFrame(Object.values(KILLERS)[i % Object.keys(KILLERS).length]!));
      await c.closed;
    }
    await screenStillServes();
  });
});

describe('screen WebSocket: hostile JSON is refused without coercion', () => {
  const HOSTILE = [
    '{"v":{"toString":" "},"type":"cancel"}',
    '{"v":{"valueOf":" ","toString":" "},"type":"cancel"}',
    '{"v":2,"type":{"toString":" "}}',
    '{"v":2,"type":"key","key":{"toString":" "}}',
    '{"v":2,"type":"pad","id":{"toString":" "}}',
    '{"v":2,"type":"cancel","__proto__":{"x":1}}',
    '{"v":[2],"type":"cancel"}',
    '{"v":"2","type":"cancel"}',
  ];

  it('parseClientMessage rejects each without throwing', () => {
    for (const h of HOSTILE) expect(parseClientMessage(h).ok).toBe(false);
    expect(parseClientMessage('{"v":2,"type":"cancel"}').ok).toBe(true);
  });

  it('over the socket each is answered with SERVER_BAD_MESSAGE and the socket stays open', async () => {
    const c = await rawWebSocket(kiosk.server.port, path());
    for (const h of HOSTILE) c.socket.write(encodeFrame({ opcode: 1, payload: text(h) }));
    const end = Date.now() + 5000;
    const errors = () => decodeServerFrames(c.received()).filter((f) => typeof f === 'string' && JSON.parse(f).type === 'error');
    while (errors().length < HOSTILE.length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(errors().map((f) => JSON.parse(f as string).code)).toEqual(HOSTILE.map(() => 'SERVER_BAD_MESSAGE'));
    expect(c.socket.destroyed).toBe(false);
    c.socket.destroy();
    await screenStillServes();
  });
});
