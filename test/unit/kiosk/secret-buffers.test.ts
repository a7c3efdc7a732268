// The JPKI signing password from keypad events to the VERIFY APDU lives only in byte buffers, and each of
// them is zero once the session is over — verified, wrong password, cancelled, timed out, card pulled.
// Observed at the components' boundaries, not in private fields: the runtime types into a buffer the test
// hands it (RuntimeOptions.entryBuffer), the document flow's prompt answers are caught by wrapping the flow,
// and the APDUs by wrapping the reader's channel. Keys come from the simulated hardware keypad through
// multi-tap (KeypadInput) with a hand-driven multi-tap clock. The virtual card is the demo My Number card
// (synthetic password ABC123) in the in-process simulated reader.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedKeypad } from '../../../drivers/keypad/simulated.ts';
import { DEFAULT_ROLES_4X3, type KeyName } from '../../../drivers/keypad/types.ts';
import type { Scheduler } from '../../../drivers/keypad/multitap.ts';
import { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import type { CardChannel } from '../../../drivers/reader/types.ts';
import { DemoDocuments } from '../../../daemon/demo/demo-cards.ts';
import { DOCUMENTS } from '../../../daemon/documents/registry.ts';
import { routingFlow } from '../../../daemon/documents/router.ts';
import { parseMyNumberConfig } from '../../../daemon/documents/mynumber/mynumber-config.ts';
import { KeypadInput } from '../../../daemon/kiosk/keypad-input.ts';
import { KioskRuntime } from '../../../daemon/kiosk/runtime.ts';
import type { DocumentFlow } from '../../../daemon/kiosk/document-flow.ts';
import type { KioskState } from '../../../daemon/kiosk/session-machine.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { DemoCardSet } from '../../../drivers/sim/demo/demo-card-set.ts';

const PASSWORD = 'ABC123';
/** Multi-tap presses per character: A = 2, B = 22, C = 222, 1 = 1, 2 = 2222, 3 = 3333. */
const TAPS: Record<string, string> = { A: '2', B: '22', C: '222', '1': '1', '2': '2222', '3': '3333', '4': '4444' };

let docs: DemoDocuments;
beforeAll(() => {
  docs = new DemoDocuments(new DemoCardSet());
});
afterAll(() => docs.dispose());

/** The multi-tap timeout, fired by the test ("the holder paused"). */
function manualClock() {
  let pending: (() => void) | null = null;
  const schedule: Scheduler = (fn) => {
    pending = fn;
    return () => {
      if (pending === fn) pending = null;
    };
  };
  return { schedule, pause: () => (pending as (() => void) | null)?.() };
}

interface Rig {
  runtime: KioskRuntime;
  reader: SimulatedReaderDriver;
  keypad: SimulatedKeypad;
  input: KeypadInput;
  entryBuffer: Buffer;
  /** What the flow received from each prompt, by reference. */
  handed: Buffer[];
  /** Every VERIFY that carried data, by reference, and what it carried when it was sent. */
  verifies: { apdu: Buffer; sent: string }[];
  type: (text: string) => void;
  until: (what: string, pred: (s: KioskState) => boolean) => Promise<KioskState>;
}

let rig: Rig | null = null;
afterEach(async () => {
  rig?.input.dispose();
  await rig?.runtime.stop();
  rig = null;
});

async function start(entryMs = 30_000): Promise<Rig> {
  const handler = DOCUMENTS.get('mynumber')!({
    trust: (p) => new TrustStore(docs.anchors(p)),
    revocation: docs.revocation,
    now: () => new Date(),
    mynumber: docs.myNumberConfig(parseMyNumberConfig({ mode: 'sign' })),
  });
  const handed: Buffer[] = [];
  const inner = routingFlow([handler]);
  const flow: DocumentFlow = {
    run: (ctx) =>
      inner.run({
        ...ctx,
        prompt: async (req) => {
          const b = await ctx.prompt(req);
          handed.push(b);
          return b;
        },
      }),
  };
  const verifies: Rig['verifies'] = [];
  const reader = new SimulatedReaderDriver();
  const connect = reader.connect.bind(reader);
  reader.connect = async (name: string): Promise<CardChannel> => {
    const ch = await connect(name);
    return {
      readerName: ch.readerName,
      atr: ch.atr,
      protocol: ch.protocol,
      transmit: (apdu, timeoutMs) => {
        if (apdu[1] === 0x20 && apdu.length > 5) verifies.push({ apdu, sent: apdu.subarray(5, 5 + apdu[4]!).toString('latin1') });
        return ch.transmit(apdu, timeoutMs);
      },
      disconnect: () => ch.disconnect(),
    };
  };
  const entryBuffer = Buffer.alloc(16);
  const runtime = new KioskRuntime({ reader, flow, entryBuffer, timeouts: { entryMs, resultMs: 60_000 } });
  const keypad = new SimulatedKeypad();
  await keypad.start();
  const clock = manualClock();
  const input = new KeypadInput(keypad, runtime, { roles: DEFAULT_ROLES_4X3, schedule: clock.schedule });
  runtime.start();
  const until = async (what: string, pred: (s: KioskState) => boolean) => {
    for (const end = Date.now() + 15_000; Date.now() < end; await new Promise((r) => setTimeout(r, 5))) {
      if (pred(runtime.getState())) return runtime.getState();
    }
    throw new Error(`timed out waiting for ${what} (phase ${runtime.getState().phase})`);
  };
  const type = (text: string) => {
    for (const ch of text) {
      for (const k of TAPS[ch]!) keypad.press(k as KeyName);
      clock.pause();
    }
  };
  rig = { runtime, reader, keypad, input, entryBuffer, handed, verifies, type, until };
  return rig;
}

const zero = (b: Buffer) => b.every((x) => x === 0);
const inEntry = (s: KioskState) => s.phase === 'secret-entry' && s.entry?.purpose === 'jpki-sign-password';

async function present(r: Rig): Promise<void> {
  r.reader.insert(docs.card('mynumber'));
  await r.until('password entry', inEntry);
}

describe('the signing password in wipeable buffers, keypad to VERIFY', () => {
  it('verified: the typing buffer, the flow’s copy and the VERIFY APDU all end zero-filled', async () => {
    const r = await start();
    await present(r);
    r.type(PASSWORD);
    // The observation points are real: the typed password is in the buffer the runtime types into.
    expect(r.entryBuffer.subarray(0, 6).toString('latin1')).toBe(PASSWORD);
    r.keypad.press('#');
    const end = await r.until('result', (s) => s.phase === 'result');
    expect(end.result).toMatchObject({ outcome: 'verified' });
    expect(r.verifies.map((v) => v.sent)).toEqual([PASSWORD]);
    expect(r.handed).toHaveLength(1);
    expect(zero(r.entryBuffer)).toBe(true);
    for (const b of r.handed) expect(zero(b)).toBe(true);
    for (const v of r.verifies) expect(zero(v.apdu.subarray(5))).toBe(true);
  }, 30_000);

  it('a wrong password, then cancel: every buffer of the failed attempt is zero, and the second entry is wiped on cancel', async () => {
    const r = await start();
    await present(r);
    r.type('ABC124');
    r.keypad.press('#');
    await r.until('the entry again after the wrong password', (s) => inEntry(s) && s.entry!.previousAttemptWrong);
    expect(r.verifies.map((v) => v.sent)).toEqual(['ABC124']);
    for (const b of r.handed) expect(zero(b)).toBe(true);
    for (const v of r.verifies) expect(zero(v.apdu.subarray(5))).toBe(true);
    r.type('AB');
    expect(zero(r.entryBuffer)).toBe(false);
    r.runtime.cancel();
    await r.until('cancelled', (s) => s.phase === 'result' && s.result?.outcome === 'cancelled');
    expect(zero(r.entryBuffer)).toBe(true);
  }, 30_000);

  it('the card pulled while typing: the typing buffer is wiped and nothing reached the flow', async () => {
    const r = await start();
    await present(r);
    r.type('ABC');
    expect(zero(r.entryBuffer)).toBe(false);
    r.reader.remove();
    await r.until('card removed', (s) => s.phase === 'result' && s.result?.reasons[0] === 'CARD_REMOVED');
    expect(zero(r.entryBuffer)).toBe(true);
    expect(r.handed).toEqual([]);
  }, 30_000);

  it('the entry timing out: the typing buffer is wiped', async () => {
    const r = await start(1_000);
    await present(r);
    r.type('AB');
    expect(zero(r.entryBuffer)).toBe(false);
    await r.until('entry timeout', (s) => s.phase === 'result' && s.result?.reasons[0] === 'PIN_ENTRY_TIMEOUT');
    expect(zero(r.entryBuffer)).toBe(true);
    expect(r.handed).toEqual([]);
  }, 30_000);
});
