// One input field on the keypad (PIN, password, card or document number). The kiosk core reads the value
// on submit; the UI gets an EntryView — a count, a mask and, for alphanumeric fields, the multi-tap
// candidate being chosen. The committed characters never leave this object except through onSubmit.
import { MultiTap, realScheduler, type CharClass, type Scheduler } from './multitap.ts';
import { roleOf, type KeyName, type KeyRoles } from './types.ts';

export interface FieldSpec {
  /** Stable id the UI knows (e.g. 'pin', 'sign-password', 'residence-card-number'). */
  id: string;
  kind: 'numeric' | 'alphanumeric';
  minLength: number;
  maxLength: number;
  /** Per-position classes for alphanumeric fields, e.g. 'LLDDDDDDDDLL' (L letter, D digit, A any). */
  template?: string;
  /** Final check on submit. */
  pattern?: RegExp;
  /** What the UI may see beyond the count: nothing, or the multi-tap candidate being chosen. */
  reveal: 'none' | 'candidate';
}

export const FIELD_PRESETS = {
  /** My Number card auth / licence PINs: 4 digits. */
  pin4: { id: 'pin', kind: 'numeric', minLength: 4, maxLength: 4, pattern: /^[0-9]{4}$/, reveal: 'none' },
  /** JPKI signature password: A–Z 0–9, 6–16 characters. */
  signPassword: { id: 'sign-password', kind: 'alphanumeric', minLength: 6, maxLength: 16, pattern: /^[A-Z0-9]{6,16}$/, reveal: 'candidate' },
  /** Residence card number AA12345678BB. */
  residenceCardNumber: {
    id: 'residence-card-number',
    kind: 'alphanumeric',
    minLength: 12,
    maxLength: 12,
    template: 'LLDDDDDDDDLL',
    pattern: /^[A-Z]{2}[0-9]{8}[A-Z]{2}$/,
    reveal: 'candidate',
  },
  /** Passport document number (ICAO 9303: up to 9 of A–Z 0–9). */
  passportNumber: { id: 'passport-number', kind: 'alphanumeric', minLength: 1, maxLength: 9, pattern: /^[A-Z0-9]{1,9}$/, reveal: 'candidate' },
} as const satisfies Record<string, FieldSpec>;

export type EntryProblem = 'too-short' | 'format' | null;

/** All the UI ever gets about a field. */
export interface EntryView {
  field: string;
  length: number;
  maxLength: number;
  /** '●' per committed character, then the candidate (if revealed) or '●'. */
  mask: string;
  candidate: string | null;
  /** The current value would be accepted on enter. */
  complete: boolean;
  problem: EntryProblem;
}

export interface EntryCallbacks {
  onView(view: EntryView): void;
  /** Core only. The caller should drop its reference as soon as it has used the value. */
  onSubmit(value: string): void;
  onCancel(): void;
}

export class EntryField {
  private chars: string[] = [];
  private problem: EntryProblem = null;
  private readonly tapper: MultiTap;
  private done = false;

  constructor(
    readonly spec: FieldSpec,
    private readonly roles: KeyRoles,
    private readonly cb: EntryCallbacks,
    opts: { multitapMs?: number; schedule?: Scheduler } = {},
  ) {
    this.tapper = new MultiTap(opts.multitapMs ?? 1200, opts.schedule ?? realScheduler, (ch) => {
      this.append(ch);
      this.publish();
    });
  }

  private classAt(i: number): CharClass {
    if (this.spec.kind === 'numeric') return 'D';
    const t = this.spec.template?.[i];
    return t === 'L' || t === 'D' ? t : 'A';
  }

  private append(ch: string): void {
    if (this.chars.length < this.spec.maxLength) this.chars.push(ch);
  }

  /** Feed a key press (call on 'down' events). Returns false once the field is finished. */
  key(k: KeyName): boolean {
    if (this.done) return false;
    this.problem = null;
    const role = roleOf(this.roles, k);
    if (role === 'cancel') {
      this.finish();
      this.cb.onCancel();
      return false;
    }
    if (role === 'clear') {
      this.tapper.drop();
      this.chars = [];
    } else if (role === 'back') {
      if (!this.tapper.drop()) this.chars.pop();
    } else if (role === 'enter') {
      const c = this.tapper.commit();
      if (c) this.append(c);
      const value = this.chars.join('');
      if (value.length < this.spec.minLength) this.problem = 'too-short';
      else if (this.spec.pattern && !this.spec.pattern.test(value)) this.problem = 'format';
      else {
        this.finish();
        this.cb.onSubmit(value);
        return false;
      }
    } else if (/^[0-9]$/.test(k)) {
      const pending = this.tapper.candidate() ? 1 : 0;
      const pos = this.chars.length + pending;
      const sameKey = this.tapper.candidate()?.key === k;
      // A new character needs room; cycling the current candidate does not.
      if (sameKey || pos < this.spec.maxLength) {
        const cls = sameKey ? this.classAt(this.chars.length) : this.classAt(pos);
        for (const ch of this.tapper.tap(k, cls)) this.append(ch);
      }
    }
    // A–D without a role, and digits that do not fit, are ignored.
    this.publish();
    return true;
  }

  view(): EntryView {
    const cand = this.tapper.candidate();
    const len = this.chars.length;
    const value = this.chars.join('');
    const complete = !cand && len >= this.spec.minLength && (!this.spec.pattern || this.spec.pattern.test(value));
    return {
      field: this.spec.id,
      length: len,
      maxLength: this.spec.maxLength,
      mask: '●'.repeat(len) + (cand ? (this.spec.reveal === 'candidate' ? cand.char : '●') : ''),
      candidate: cand && this.spec.reveal === 'candidate' ? cand.char : null,
      complete,
      problem: this.problem,
    };
  }

  private publish(): void {
    this.cb.onView(this.view());
  }

  /** Forget the value (timeout, card removed, component stop). */
  finish(): void {
    this.done = true;
    this.tapper.drop();
    this.chars.fill('');
    this.chars = [];
  }
}
