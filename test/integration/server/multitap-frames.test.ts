// What the kiosk screen's WebSocket carries while a holder types (issue 17): the demo daemon with the
// simulated hardware keypad and reader, a WebSocket client recording every frame exactly as the screen
// receives it (and what it sends).
// - The JPKI signing password (demo card: ABC123) typed by multi-tap on the hardware keypad and, in a second
//   session, on the on-screen keypad: no frame carries a character of it — not committed, and not the
//   letter being chosen either; while a character is chosen the entry says only its position on the key,
//   and that is gone once it commits. The card then verifies the password, so the bytes that reached it are
//   the ones typed.
// - The residence card number (printed on the card, not a secret) by multi-tap: the letter being chosen is
//   shown as the candidate, and once committed it is part of what the screen shows as typed (issue 19).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import type { SimulatedKeypad } from '../../../drivers/keypad/simulated.ts';
import type { KeyName } from '../../../drivers/keypad/types.ts';
import type { EntryView, KioskState } from '../../../daemon/kiosk/session-machine.ts';
import { DemoCardSet } from '../../../drivers/sim/demo/demo-card-set.ts';

const PASSWORD = 'ABC123'; // the demo My Number card's synthetic signing password
const CARD_NUMBER = 'AA12345678BB'; // the demo residence card's synthetic number
const ENTRY_KEYS = [
  'purpose',
  'format',
  'length',
  'triesLeft',
  'maxTries',
  'previousAttemptWrong',
  'padIds',
  'candidate',
  'candidateIndex',
  'typed',
  'expiring',
  'tooShort',
  'form',
].sort();

let kiosk: Kiosk;
let ws: WebSocket;
const received: string[] = [];
const sent: string[] = [];
let latest: KioskState | null = null;

beforeAll(async () => {
  const config = parseConfig({
    server: { port: 0 },
    documents: ['mynumber', 'residence'],
    mynumber: { mode: 'sign' },
    keypad: { backend: 'simulated', multitapMs: 300 },
    timeouts: { resultMs: 60_000 },
  });
  kiosk = await startKiosk({ config, demo: new DemoCardSet(), operations: { healthServer: false, env: {} } });
  ws = new WebSocket(`ws://127.0.0.1:${kiosk.server.port}/ws?token=${kiosk.server.token}`);
  ws.on('message', (data) => {
    const text = String(data);
    received.push(text);
    const m = JSON.parse(text);
    if (m.type === 'state') latest = m.state;
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
}, 30_000);

afterAll(async () => {
  ws?.close();
  await kiosk?.stop();
});

/** Polls the state the socket delivered last, with a deadline (the machine is shared and loaded). */
async function until(what: string, pred: (s: KioskState) => boolean, ms = 15_000): Promise<KioskState> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
    if (latest && pred(latest)) return latest;
  }
  throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(latest?.phase)} ${JSON.stringify(latest?.entry ?? null)}`);
}

const keypad = () => kiosk.peripherals.keypad as SimulatedKeypad;
const entryIs = (purpose: string, length: number, candidateIndex: number | null) => (s: KioskState) =>
  s.phase === 'secret-entry' && s.entry?.purpose === purpose && s.entry.length === length && s.entry.candidateIndex === candidateIndex;

/** Entry views in the order the screen received them. */
function entryFrames(from: number, purpose: string): EntryView[] {
  return received
    .slice(from)
    .map((t) => JSON.parse(t))
    .filter((m) => m.type === 'state' && m.state.entry?.purpose === purpose)
    .map((m) => m.state.entry as EntryView);
}

/** Every string value in a parsed frame (keys excluded). */
function strings(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap(strings);
  if (x && typeof x === 'object') return Object.values(x).flatMap(strings);
  return [];
}

async function newSession(card: 'mynumber' | 'residence-gen2', purpose: string): Promise<number> {
  kiosk.demo!.remove();
  await until('no card', (s) => !s.cardPresent);
  const from = received.length;
  kiosk.demo!.insert(card);
  await until(`${purpose} entry`, entryIs(purpose, 0, null));
  return from;
}

/**
 * Multi-tap groups: the presses of one character happen in one go (so the multi-tap timeout cannot fall
 * between them); a character with a one-entry cycle commits at once, the others when the timeout passes.
 */
async function multiTap(purpose: string, groups: { keys: string; index: number | null }[]): Promise<void> {
  for (const [i, g] of groups.entries()) {
    for (const k of g.keys) keypad().press(k as KeyName);
    if (g.index !== null) await until(`character ${i + 1} being chosen`, entryIs(purpose, i, g.index));
    await until(`character ${i + 1} committed`, entryIs(purpose, i + 1, null));
  }
}

describe('multi-tap and the screen socket', () => {
  it('the signing password by multi-tap on the hardware keypad: no character of it in any frame, the position only while pending', async () => {
    const from = await newSession('mynumber', 'jpki-sign-password');
    // A = 2, B = 22, C = 222, 1 = 1 (a one-entry cycle), 2 = 2222, 3 = 3333
    await multiTap('jpki-sign-password', [
      { keys: '2', index: 0 },
      { keys: '22', index: 1 },
      { keys: '222', index: 2 },
      { keys: '1', index: null },
      { keys: '2222', index: 3 },
      { keys: '3333', index: 3 },
    ]);
    keypad().press('#');
    const end = await until('result', (s) => s.phase === 'result');
    // The card accepted what was typed: the bytes that reached the VERIFY were the password.
    expect(end.result).toMatchObject({ outcome: 'verified', document: 'mynumber-sign' });

    const entries = entryFrames(from, 'jpki-sign-password');
    expect(entries.length).toBeGreaterThanOrEqual(11);
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(ENTRY_KEYS);
      expect(e.candidate).toBeNull();
      expect(e.typed).toBeNull();
      expect(e.form).toBeNull(); // a password is never part of a form of printed numbers
      // Every string the entry carries is the purpose, the format's kind or a lower-case pad token:
      // no upper-case letter and no digit character, so no committed or pending password character.
      for (const v of strings(e)) expect(v).toMatch(/^[a-z-]+$/);
    }
    // Pending positions appear at the length being typed, and each commit clears them.
    expect(entries.map((e) => [e.length, e.candidateIndex])).toEqual(
      expect.arrayContaining([
        [0, 0],
        [1, null],
        [1, 1],
        [2, null],
        [2, 2],
        [3, null],
        [4, null],
        [4, 3],
        [5, null],
        [5, 3],
        [6, null],
      ]),
    );
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]!.length > entries[i - 1]!.length) expect(entries[i]!.candidateIndex === null || entries[i]!.candidateIndex === 0).toBe(true);
    }
    for (const f of received.slice(from)) expect(f).not.toContain(PASSWORD);
  }, 40_000);

  it('the signing password on the on-screen keypad: tokens out, counts in, never a character', async () => {
    const from = await newSession('mynumber', 'jpki-sign-password');
    const sentFrom = sent.length;
    const PAD = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (const [i, ch] of [...PASSWORD].entries()) {
      const id = latest!.entry!.padIds[PAD.indexOf(ch)]!;
      const msg = JSON.stringify({ v: 2, type: 'pad', id });
      sent.push(msg);
      ws.send(msg);
      await until(`character ${i + 1}`, entryIs('jpki-sign-password', i + 1, null));
    }
    const enter = JSON.stringify({ v: 2, type: 'key', key: 'enter' });
    sent.push(enter);
    ws.send(enter);
    const end = await until('result', (s) => s.phase === 'result');
    expect(end.result).toMatchObject({ outcome: 'verified', document: 'mynumber-sign' });

    for (const f of sent.slice(sentFrom)) expect(f).toMatch(/^\{"v":2,"type":"(pad","id":"[a-z]{6}"|key","key":"enter")\}$/);
    const entries = entryFrames(from, 'jpki-sign-password');
    expect(entries.map((e) => e.length)).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 5, 6]));
    for (const e of entries) {
      expect(e).toMatchObject({ candidate: null, candidateIndex: null });
      for (const v of strings(e)) expect(v).toMatch(/^[a-z-]+$/);
    }
    for (const f of received.slice(from)) expect(f).not.toContain(PASSWORD);
  }, 40_000);

  it('the residence card number (printed on the card) by multi-tap: the candidate while it is chosen, then shown as typed', async () => {
    const from = await newSession('residence-gen2', 'residence-card-number');
    // Letter positions (L) cycle A B C on key 2; digit positions (D) take the digit at once.
    await multiTap('residence-card-number', [
      { keys: '2', index: 0 },
      { keys: '2', index: 0 },
      ...[...'12345678'].map((k) => ({ keys: k, index: null })),
      { keys: '22', index: 1 },
      { keys: '22', index: 1 },
    ]);
    const entries = entryFrames(from, 'residence-card-number');
    const shown = entries.filter((e) => e.candidate !== null);
    expect(shown.map((e) => [e.length, e.candidate])).toEqual(
      expect.arrayContaining([
        [0, 'A'],
        [1, 'A'],
        [10, 'B'],
        [11, 'B'],
      ]),
    );
    for (const e of shown) expect(e.candidate).toBe(CARD_NUMBER[e.length]);
    // Cleared on commit: a frame whose length grew never still shows the letter just committed.
    for (let i = 1; i < entries.length; i++) {
      const [prev, cur] = [entries[i - 1]!, entries[i]!];
      if (cur.length > prev.length) expect(cur.candidate).toBeNull();
    }
    expect(entries.at(-1)).toMatchObject({ length: 12, candidate: null, candidateIndex: null, typed: CARD_NUMBER });
    for (const e of entries) expect(e.typed).toBe(CARD_NUMBER.slice(0, e.length));
    keypad().press('#');
    await until('review', (s) => s.entry?.form?.review === true);
    keypad().press('#'); // 決定 on the review: read with this number
    await until('result', (s) => s.phase === 'result');
  }, 40_000);
});
