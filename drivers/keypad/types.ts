// The keypad seam. Backends (evdev, onoff matrix scan, simulated) all implement Keypad and emit KeyEvents;
// the kiosk core receives the key values, the UI only counts and masks (see multitap.ts / entry.ts).
import { inspect } from 'node:util';
import type { Listener } from './owned-events.ts';

export const ALL_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'] as const;
export type KeyName = (typeof ALL_KEYS)[number];
export const DIGIT_KEYS: readonly KeyName[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export function isKeyName(s: string): s is KeyName {
  return (ALL_KEYS as readonly string[]).includes(s);
}

export type KeyAction = 'down' | 'up';

/**
 * One key transition. The key value is deliberately hidden from serialisation: JSON.stringify, util.inspect
 * and template strings show `•` instead, so an event that slips into a log line by accident leaks nothing.
 * Read it through `.key`.
 */
export class KeyEvent {
  readonly action: KeyAction;
  /** Monotonic milliseconds (performance.now() or the backend's clock). */
  readonly at: number;
  /** Which backend produced it. */
  readonly source: 'evdev' | 'onoff' | 'simulated';
  declare readonly key: KeyName;

  constructor(key: KeyName, action: KeyAction, at: number, source: KeyEvent['source']) {
    Object.defineProperty(this, 'key', { value: key, enumerable: false, writable: false });
    this.action = action;
    this.at = at;
    this.source = source;
  }

  toJSON(): { action: KeyAction; at: number; source: string; key: '•' } {
    return { action: this.action, at: this.at, source: this.source, key: '•' };
  }
  toString(): string {
    return `KeyEvent(${this.action}, •)`;
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Meaning of special keys, configurable per installation (which key is clear, back, enter, cancel).
 * `repeat` plays the screen's voice prompt again (ui/voice.js); a key that is both back and repeat (the
 * default '*', bottom left on both pads) repeats when back has nothing to delete: no entry on screen, or an
 * empty one.
 */
export interface KeyRoles {
  enter: KeyName[];
  back: KeyName[];
  clear: KeyName[];
  cancel: KeyName[];
  repeat?: KeyName[];
}

export type KeyRole = Exclude<keyof KeyRoles, 'repeat'>;

export const DEFAULT_ROLES_4X3: KeyRoles = { enter: ['#'], back: ['*'], clear: [], cancel: [], repeat: ['*'] };
export const DEFAULT_ROLES_4X4: KeyRoles = { enter: ['#', 'D'], back: ['*', 'B'], clear: ['C'], cancel: ['A'], repeat: ['*'] };

export function roleOf(roles: KeyRoles, key: KeyName): KeyRole | null {
  for (const r of ['enter', 'back', 'clear', 'cancel'] as const) if (roles[r].includes(key)) return r;
  return null;
}

/** Whether the key repeats the voice prompt (see KeyRoles). */
export function isRepeatKey(roles: KeyRoles, key: KeyName): boolean {
  return roles.repeat?.includes(key) ?? false;
}

export type KeypadStatus = 'starting' | 'ready' | 'unavailable' | 'stopped';

export interface KeypadEventMap {
  key: KeyEvent;
  /** A key held longer than the stuck threshold (or held at start); its presses are suppressed until it is released. */
  stuck: { row: number; col: number; since: number };
  /** The stuck key was released and is usable again. */
  unstuck: { row: number; col: number };
  status: { status: KeypadStatus; reason?: string };
}

export interface Keypad {
  readonly backend: KeyEvent['source'];
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): KeypadStatus;
  /** Keys currently reported stuck (positions only, never values). */
  stuckKeys(): { row: number; col: number }[];
  on<K extends keyof KeypadEventMap>(event: K, listener: Listener<KeypadEventMap[K]>, owner?: string): () => void;
  /** Removes every listener registered under `owner` (call when the owning component stops). */
  removeOwner(owner: string): void;
}

/** Row-major key layout of the physical pad: layout[row][col]. */
export type KeyLayout = KeyName[][];

export const LAYOUT_4X3: KeyLayout = [
  ['1', '2', '3'],
  ['4', '5', '6'],
  ['7', '8', '9'],
  ['*', '0', '#'],
];
export const LAYOUT_4X4: KeyLayout = [
  ['1', '2', '3', 'A'],
  ['4', '5', '6', 'B'],
  ['7', '8', '9', 'C'],
  ['*', '0', '#', 'D'],
];
