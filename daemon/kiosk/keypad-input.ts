// The hardware keypad (drivers/keypad) as an input of the kiosk runtime. Key roles (enter, back, clear,
// cancel) come from the keypad configuration; digits go straight to the runtime for numeric entries and
// through multi-tap (drivers/keypad/multitap.ts: 2 → A B C 2 …) for alphanumeric ones. While a character is
// being chosen the screen shows its position in the key's cycle, and the letter itself only for numbers
// printed on the document (EntryView.candidate); everything already committed is masked.
// Key values are never logged here; the runtime keeps them in its wiped buffer.
import { MultiTap, realScheduler, type CharClass, type Scheduler } from '../../drivers/keypad/multitap.ts';
import { isRepeatKey, roleOf, type Keypad, type KeyEvent, type KeyRoles } from '../../drivers/keypad/types.ts';
import type { KioskRuntime } from './runtime.ts';

/** Per-position classes of alphanumeric entries with a fixed shape (L letter, D digit; anything else: either). */
const TEMPLATES: Record<string, string> = {
  // 在留カード番号: AA12345678BB
  'residence-card-number': 'LLDDDDDDDDLL',
};

export interface KeypadInputOptions {
  roles: KeyRoles;
  multitapMs?: number;
  schedule?: Scheduler;
}

const OWNER = 'kiosk-keypad-input';

export class KeypadInput {
  private readonly tapper: MultiTap;
  /** The entry the multi-tap state belongs to (session + padIds identity); a new entry drops the candidate. */
  private entryKey: string | null = null;
  private readonly offState: () => void;

  constructor(
    private readonly keypad: Keypad,
    private readonly runtime: KioskRuntime,
    private readonly o: KeypadInputOptions,
  ) {
    this.tapper = new MultiTap(o.multitapMs ?? 1200, o.schedule ?? realScheduler, (ch) => this.runtime.type([ch], null));
    keypad.on('key', (e) => this.onKey(e), OWNER);
    this.offState = runtime.events.on('state', () => this.syncEntry(), OWNER);
  }

  dispose(): void {
    this.keypad.removeOwner(OWNER);
    this.offState();
    this.tapper.drop();
  }

  private syncEntry(): void {
    const s = this.runtime.getState();
    // a form's fields are entries of their own (moving between them drops the letter being chosen)
    const key = s.phase === 'secret-entry' && s.entry ? `${s.session}:${s.entry.padIds[0]}:${s.entry.form?.index ?? ''}:${s.entry.form?.review ?? ''}` : null;
    if (key !== this.entryKey) {
      this.tapper.drop();
      this.entryKey = key;
    }
  }

  private onKey(e: KeyEvent): void {
    if (e.action !== 'down') return;
    const k = e.key;
    const role = roleOf(this.o.roles, k);
    const s = this.runtime.getState();
    const entry = s.phase === 'secret-entry' ? s.entry : null;
    const repeat = isRepeatKey(this.o.roles, k);
    if (!entry) {
      if (repeat) this.runtime.repeatPrompt();
      else if (role === 'enter' || role === 'cancel') this.runtime.key(role);
      return;
    }
    // the repeat key: always when it has no other role, when back has nothing to delete otherwise
    if (repeat && (role !== 'back' || (entry.length === 0 && !this.tapper.candidate()))) {
      this.runtime.repeatPrompt();
      return;
    }
    if (role === 'enter') {
      const c = this.tapper.commit();
      if (c) this.runtime.type([c], null);
      this.runtime.key('enter');
    } else if (role === 'back') {
      // Back first drops the letter being chosen, then committed characters.
      if (this.tapper.drop()) this.runtime.type([], null);
      else this.runtime.key('back');
    } else if (role === 'clear') {
      this.tapper.drop();
      this.runtime.key('clear');
    } else if (role === 'cancel') {
      this.tapper.drop();
      this.runtime.key('cancel');
    } else if (/^[0-9]$/.test(k)) {
      if (entry.format.kind !== 'alnum') {
        this.runtime.key(k);
        return;
      }
      const cand = this.tapper.candidate();
      const sameKey = cand?.key === k;
      const pos = entry.length + (cand ? 1 : 0);
      // A new character needs room; cycling the candidate does not (same rule as drivers/keypad EntryField).
      if (!sameKey && pos >= entry.format.max) return;
      const committed = this.tapper.tap(k, this.classAt(entry.purpose, sameKey ? entry.length : pos));
      const next = this.tapper.candidate();
      this.runtime.type(committed, next ? { char: next.char, index: next.index } : null);
    }
    // A–D without a role, * and # without a role: ignored.
  }

  private classAt(purpose: string, i: number): CharClass {
    const t = TEMPLATES[purpose]?.[i];
    return t === 'L' || t === 'D' ? t : 'A';
  }
}
