// The WebSocket protocol between the daemon and the kiosk screen (and anything else that speaks it).
// Versioned; every inbound message is validated before it reaches the command path. Secrets never cross
// it: the state carries the entry length, never the digits, and key presses from the on-screen keypad go
// daemon-ward only.
import type { KioskState } from '../kiosk/session-machine.ts';

export const PROTOCOL_VERSION = 1;

/** Keys a client may send by value. Digits are not among them: they travel as pad tokens. */
export const KEYS = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''),
  'back',
  'clear',
  'enter',
  'cancel',
] as const;
export type Key = string;

/** Demo-only actions on the simulated hardware (refused unless the daemon runs in demo mode). */
export const DEMO_CARDS = [
  'mynumber',
  'mynumber-one-try',
  'mynumber-expired',
  'mynumber-revoked',
  'mynumber-unknown-ca',
  'mynumber-bad-signature',
] as const;
export type DemoCard = (typeof DEMO_CARDS)[number];

export type ClientMessage =
  | { v: 1; type: 'key'; key: Key }
  /** On-screen keypad digit, as the entry's per-digit token (see EntryView.padIds). */
  | { v: 1; type: 'pad'; id: string }
  | { v: 1; type: 'cancel' }
  | { v: 1; type: 'demo-insert'; card: DemoCard }
  | { v: 1; type: 'demo-remove' };

export type ServerMessage =
  | { v: 1; type: 'hello'; kioskId: string; demo: boolean; version: string; demoCards: readonly DemoCard[] }
  | { v: 1; type: 'state'; state: KioskState }
  | { v: 1; type: 'alert'; kind: string }
  | { v: 1; type: 'error'; code: string; message: string };

/** Validates one inbound frame; returns the message or a reason it was rejected. */
export function parseClientMessage(text: string): { ok: true; msg: ClientMessage } | { ok: false; reason: string } {
  if (text.length > 1024) return { ok: false, reason: 'frame too large' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not an object' };
  const m = raw as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION) return { ok: false, reason: `unsupported protocol version ${String(m.v)}` };
  const keys = Object.keys(m).sort().join(',');
  switch (m.type) {
    case 'key':
      if (keys !== 'key,type,v' || typeof m.key !== 'string' || !(KEYS as readonly string[]).includes(m.key)) return { ok: false, reason: 'bad key message' };
      return { ok: true, msg: { v: 1, type: 'key', key: m.key as Key } };
    case 'pad':
      if (keys !== 'id,type,v' || typeof m.id !== 'string' || !/^[a-z]{6}$/.test(m.id)) return { ok: false, reason: 'bad pad message' };
      return { ok: true, msg: { v: 1, type: 'pad', id: m.id } };
    case 'cancel':
      if (keys !== 'type,v') return { ok: false, reason: 'bad cancel message' };
      return { ok: true, msg: { v: 1, type: 'cancel' } };
    case 'demo-insert':
      if (keys !== 'card,type,v' || !DEMO_CARDS.includes(m.card as DemoCard)) return { ok: false, reason: 'bad demo-insert message' };
      return { ok: true, msg: { v: 1, type: 'demo-insert', card: m.card as DemoCard } };
    case 'demo-remove':
      if (keys !== 'type,v') return { ok: false, reason: 'bad demo-remove message' };
      return { ok: true, msg: { v: 1, type: 'demo-remove' } };
    default:
      return { ok: false, reason: 'unknown message type' };
  }
}
