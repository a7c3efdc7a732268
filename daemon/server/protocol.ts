// The WebSocket protocol between the daemon and the kiosk screen. Versioned: every frame carries `v`, and
// both sides validate what they receive (the daemon here, the screen in ui/protocol.js; a unit test runs
// the daemon's messages through the screen's validator). Secrets never cross it: the state carries the
// entry's length and the multi-tap candidate only, and the on-screen keypad sends per-entry tokens
// instead of characters (EntryView.padIds), so no PIN, password or card number appears in any frame.
import type { KioskState } from '../kiosk/session-machine.ts';

/** v2: pad tokens for letters too (no characters by value), devices message, documents and sounds in hello. */
export const PROTOCOL_VERSION = 2;

/** Keys a client may send by value. No characters: digits and letters travel as pad tokens. */
/**
 * `extend`: more time for the entry on screen (the warning before its timeout). `prev`: 「前の項目へ」 in a
 * multi-field entry; `confirm`: 「この内容で読み取る」 on its review screen.
 */
export const KEYS = ['back', 'clear', 'enter', 'cancel', 'extend', 'prev', 'confirm'] as const;
export type Key = (typeof KEYS)[number];

/** Demo-only actions on the simulated hardware (refused unless the daemon runs in demo mode). */
export const DEMO_CARDS = [
  'mynumber',
  'mynumber-one-try',
  'mynumber-locked',
  'mynumber-expired',
  'mynumber-revoked',
  'mynumber-unknown-ca',
  'mynumber-bad-signature',
  'license',
  'license-default-pin',
  'license-expired',
  'license-locked',
  'residence-gen1',
  'residence-gen2',
  'passport',
  'passport-bac',
  'unsupported-card',
] as const;
export type DemoCard = (typeof DEMO_CARDS)[number];

/** Demo-only hardware faults to show the screens that explain them. */
export const DEMO_FAULTS = ['printer-paper-end', 'printer-ok', 'reader-lost', 'reader-back', 'maintenance-on', 'maintenance-off'] as const;
export type DemoFault = (typeof DEMO_FAULTS)[number];

/**
 * Demo-only: the session settings the demo panel switches at run time (the My Number mode and the walk-up
 * policy, daemon/demo/demo-session.ts). The names are checked against this kiosk's modes and policies when
 * the switch is made; the frame is checked here for shape only.
 */
export interface DemoSessionView {
  /** Every My Number mode (daemon/documents/mynumber/mynumber-config.ts MYNUMBER_MODES). */
  modes: readonly string[];
  /** Every policy this kiosk defines (built-ins and the configuration's). */
  policies: readonly string[];
  mode: string;
  /** null: no walk-up policy (every enabled document). */
  policy: string | null;
}

export type ClientMessage =
  | { v: 2; type: 'key'; key: Key }
  /** On-screen keypad: the token of the character pressed (EntryView.padIds: 0–9, then A–Z). */
  | { v: 2; type: 'pad'; id: string }
  | { v: 2; type: 'cancel' }
  /** 「修正する」 on the review screen: the field to go back to (its index in EntryView.form.fields). */
  | { v: 2; type: 'edit'; field: number }
  | { v: 2; type: 'demo-insert'; card: DemoCard }
  | { v: 2; type: 'demo-remove' }
  | { v: 2; type: 'demo-fault'; fault: DemoFault }
  /** Switch the demo's My Number mode and walk-up policy (only while idle). */
  | { v: 2; type: 'demo-session'; mode: string; policy: string | null };

/** Peripheral status the screen explains (printer fault, receipt printed or not). Never personal data. */
export interface DevicesView {
  printer: { state: string; usable: boolean; required: boolean } | null;
  keypad: { backend: string; status: string } | null;
  /** `held`: the printer cannot print it now (code says why); the screen gives the reference to note. */
  receipt: { session: number; reference: string; state: 'printing' | 'held' | 'confirmed' | 'failed'; code: string | null } | null;
}

export interface Hello {
  v: 2;
  type: 'hello';
  kioskId: string;
  version: string;
  demo: boolean;
  demoCards: readonly DemoCard[];
  demoFaults: readonly DemoFault[];
  /** The demo's current session settings and the choices (null outside demo mode). */
  demoSession: DemoSessionView | null;
  /** Enabled documents in detection order: the idle screen lists them. */
  documents: string[];
  /** Alert kinds that have a sound at /sounds/<kind>.wav (synthesised chimes, daemon/server/chimes.ts). */
  sounds: string[];
}

export type ServerMessage =
  | Hello
  | { v: 2; type: 'state'; state: KioskState }
  | { v: 2; type: 'devices'; devices: DevicesView }
  /** `level`: the card-left reminder's escalation step (absent for other kinds). */
  | { v: 2; type: 'alert'; kind: string; level?: number }
  | { v: 2; type: 'error'; code: string; message: string };

/** A policy name as the configuration allows it (daemon/policy/policy-config.ts). */
const POLICY_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

type Parsed = { ok: true; msg: ClientMessage } | { ok: false; reason: string };

/** Validates one inbound frame; returns the message or a reason it was rejected. */
export function parseClientMessage(text: string): Parsed {
  if (text.length > 1024) return { ok: false, reason: 'frame too large' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not an object' };
  const m = raw as Record<string, unknown>;
  // Never coerce a received value to a string (`String(m.v)` runs an attacker's `toString`, or throws on
  // `{"toString":" "}`): only a number is echoed back.
  if (m.v !== PROTOCOL_VERSION)
    return { ok: false, reason: typeof m.v === 'number' ? `unsupported protocol version ${m.v}` : 'missing or non-numeric protocol version' };
  if (typeof m.type !== 'string') return { ok: false, reason: 'missing or non-string message type' };
  const keys = Object.keys(m).sort().join(',');
  const v = PROTOCOL_VERSION;
  switch (m.type) {
    case 'key':
      if (keys !== 'key,type,v' || !(KEYS as readonly unknown[]).includes(m.key)) return { ok: false, reason: 'bad key message' };
      return { ok: true, msg: { v, type: 'key', key: m.key as Key } };
    case 'pad':
      if (keys !== 'id,type,v' || typeof m.id !== 'string' || !/^[a-z]{6}$/.test(m.id)) return { ok: false, reason: 'bad pad message' };
      return { ok: true, msg: { v, type: 'pad', id: m.id } };
    case 'cancel':
      if (keys !== 'type,v') return { ok: false, reason: 'bad cancel message' };
      return { ok: true, msg: { v, type: 'cancel' } };
    case 'edit':
      if (keys !== 'field,type,v' || !Number.isInteger(m.field) || (m.field as number) < 0 || (m.field as number) > 7)
        return { ok: false, reason: 'bad edit message' };
      return { ok: true, msg: { v, type: 'edit', field: m.field as number } };
    case 'demo-insert':
      if (keys !== 'card,type,v' || !(DEMO_CARDS as readonly unknown[]).includes(m.card)) return { ok: false, reason: 'bad demo-insert message' };
      return { ok: true, msg: { v, type: 'demo-insert', card: m.card as DemoCard } };
    case 'demo-remove':
      if (keys !== 'type,v') return { ok: false, reason: 'bad demo-remove message' };
      return { ok: true, msg: { v, type: 'demo-remove' } };
    case 'demo-fault':
      if (keys !== 'fault,type,v' || !(DEMO_FAULTS as readonly unknown[]).includes(m.fault)) return { ok: false, reason: 'bad demo-fault message' };
      return { ok: true, msg: { v, type: 'demo-fault', fault: m.fault as DemoFault } };
    case 'demo-session':
      if (
        keys !== 'mode,policy,type,v' ||
        typeof m.mode !== 'string' ||
        !/^[a-z]{1,16}$/.test(m.mode) ||
        (m.policy !== null && (typeof m.policy !== 'string' || !POLICY_NAME.test(m.policy)))
      )
        return { ok: false, reason: 'bad demo-session message' };
      return { ok: true, msg: { v, type: 'demo-session', mode: m.mode, policy: m.policy as string | null } };
    default:
      return { ok: false, reason: 'unknown message type' };
  }
}
