// MRZ text from a document scanner (serial line or keyboard wedge) → the access key. Scanners send the
// MRZ lines separated by CR/LF, sometimes in pieces, sometimes with noise before; the assembler keeps the
// last few lines and, whenever they form a TD1/TD2/TD3 MRZ whose check digits all hold, offers the key.
// A scan is consumed once and expires (a scan left behind by the previous holder must not open the next
// holder's passport). Transport bindings (serialport, evdev) feed `push`; the passport flow calls `take`.
import { accessKeyFromMrzText, type AccessKeyInput } from './mrz.ts';

export interface MrzScanOptions {
  /** A scan older than this is discarded (default 60 s). */
  maxAgeMs?: number;
  now?: () => number;
}

export class MrzScanAssembler {
  private partial = '';
  private lines: string[] = [];
  private scanned: { key: AccessKeyInput; at: number } | null = null;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(o: MrzScanOptions = {}) {
    this.maxAgeMs = o.maxAgeMs ?? 60_000;
    this.now = o.now ?? Date.now;
  }

  /** Feed raw scanner text; returns true when a complete, valid MRZ was just recognised. */
  push(text: string): boolean {
    let found = false;
    for (const ch of text) {
      if (ch === '\r' || ch === '\n') {
        if (this.partial.length) this.lines.push(this.partial);
        this.partial = '';
        this.lines = this.lines.slice(-3);
        found = this.tryLines() || found;
      } else if (this.partial.length < 64) {
        this.partial += ch.toUpperCase();
      }
    }
    return found;
  }

  private tryLines(): boolean {
    for (const n of [3, 2]) {
      const last = this.lines.slice(-n);
      const [first] = last;
      if (last.length !== n || first === undefined) continue;
      const len = first.length;
      if (!last.every((l) => l.length === len) || !((n === 3 && len === 30) || (n === 2 && (len === 36 || len === 44)))) continue;
      try {
        this.replace(accessKeyFromMrzText(last.join('\n')));
        this.lines = [];
        return true;
      } catch {
        /* not (yet) a valid MRZ */
      }
    }
    return false;
  }

  private replace(key: AccessKeyInput | null): void {
    if (this.scanned) for (const b of Object.values(this.scanned.key)) b.fill(0);
    this.scanned = key ? { key, at: this.now() } : null;
  }

  /** The latest valid scan if fresh, handed over once (the caller wipes it). */
  take(): AccessKeyInput | null {
    const s = this.scanned;
    this.scanned = null;
    if (!s) return null;
    if (this.now() - s.at > this.maxAgeMs) {
      for (const b of Object.values(s.key)) b.fill(0);
      return null;
    }
    return s.key;
  }

  clear(): void {
    this.replace(null);
    this.partial = '';
    this.lines = [];
  }
}
