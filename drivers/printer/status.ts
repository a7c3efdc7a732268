// Printer → host bytes: a byte-level classifier that keeps state across serial reads (replies fragment
// and interleave), and the status model those replies update. Epson semantics (docs/reference/peripherals.md §2).

export type RtQuery = 1 | 2 | 3 | 4;

export type StatusReply =
  | { kind: 'rt'; n: RtQuery; byte: number }
  | { kind: 'asb'; bytes: [number, number, number, number] }
  | { kind: 'gsr'; byte: number }
  /** A byte that fits no expected reply (unsolicited, a foreign printer, line noise). */
  | { kind: 'stray'; byte: number };

/**
 * Classifies the reply stream. The caller says what it is waiting for (one real-time query at a time, and
 * the number of GS r markers in flight); ASB frames may arrive at any time, even between the bytes of
 * nothing else, and XON/XOFF may be interleaved inside them.
 */
export class StatusReader {
  private asb: [header: number, ...rest: number[]] | null = null;
  private inBlock = false;
  rtPending: RtQuery | null = null;
  gsrPending = 0;

  push(chunk: Uint8Array): StatusReply[] {
    const out: StatusReply[] = [];
    for (const b of chunk) this.byte(b, out);
    return out;
  }

  private byte(b: number, out: StatusReply[]): void {
    if (this.inBlock) {
      if (b === 0x00) this.inBlock = false;
      return;
    }
    if (this.asb) {
      if ((b & 0x90) === 0) {
        this.asb.push(b);
        if (this.asb.length === 4) {
          out.push({ kind: 'asb', bytes: this.asb as [number, number, number, number] });
          this.asb = null;
        }
        return;
      }
      if (b === 0x11 || b === 0x13) return; // XON/XOFF inside an ASB frame
      // A header that was not followed by three ASB bytes: drop it and look at this byte afresh.
      out.push({ kind: 'stray', byte: this.asb[0] });
      this.asb = null;
    }
    if ((b & 0x93) === 0x12) {
      if (this.rtPending !== null) {
        out.push({ kind: 'rt', n: this.rtPending, byte: b });
        this.rtPending = null;
      } else out.push({ kind: 'stray', byte: b });
      return;
    }
    if ((b & 0x93) === 0x10) {
      this.asb = [b];
      return;
    }
    if (b === 0x11 || b === 0x13) return;
    if ((b & 0x90) === 0 && this.gsrPending > 0) {
      this.gsrPending--;
      out.push({ kind: 'gsr', byte: b });
      return;
    }
    if (b === 0x35 || b === 0x37 || b === 0x3b || b === 0x3d || b === 0x5f) {
      this.inBlock = true; // GS I / GS ( E style block reply, up to NUL: not ours, skip it whole
      return;
    }
    out.push({ kind: 'stray', byte: b });
  }

  /** Forget partial frames (after a disconnect). */
  reset(): void {
    this.asb = null;
    this.inBlock = false;
    this.rtPending = null;
    this.gsrPending = 0;
  }
}

export type PrinterState = 'unknown' | 'ready' | 'paper-near-end' | 'paper-end' | 'cover-open' | 'error' | 'offline' | 'disconnected';

export interface PrinterStatus {
  connected: boolean;
  /** false until the printer has answered at least once since connecting */
  known: boolean;
  offline: boolean;
  coverOpen: boolean;
  paperNearEnd: boolean;
  paperEnd: boolean;
  /** 'mechanical' | 'autocutter' | 'unrecoverable' | 'auto-recoverable' | 'unspecified' */
  error: string | null;
  /** the printer did not answer a real-time query (powered off, cable, wrong baud) */
  unresponsive: boolean;
}

export const INITIAL_STATUS: PrinterStatus = {
  connected: false,
  known: false,
  offline: false,
  coverOpen: false,
  paperNearEnd: false,
  paperEnd: false,
  error: null,
  unresponsive: false,
};

function errorFrom(mech: boolean, cutter: boolean, unrecov: boolean, autoRecov: boolean): string | null {
  if (unrecov) return 'unrecoverable';
  if (cutter) return 'autocutter';
  if (mech) return 'mechanical';
  if (autoRecov) return 'auto-recoverable';
  return null;
}

/** Applies one reply to the status (pure). */
export function applyReply(s: PrinterStatus, r: StatusReply): PrinterStatus {
  const bit = (b: number, m: number) => (b & m) === m;
  switch (r.kind) {
    case 'asb': {
      const [b1, b2, b3] = r.bytes;
      return {
        ...s,
        known: true,
        unresponsive: false,
        offline: bit(b1, 0x08),
        coverOpen: bit(b1, 0x20),
        error: errorFrom(bit(b2, 0x04), bit(b2, 0x08), bit(b2, 0x20), bit(b2, 0x40)),
        paperNearEnd: bit(b3, 0x03),
        paperEnd: bit(b3, 0x0c),
      };
    }
    case 'rt': {
      const b = r.byte;
      const base = { ...s, known: true, unresponsive: false };
      if (r.n === 1) return { ...base, offline: bit(b, 0x08) };
      if (r.n === 2)
        return {
          ...base,
          coverOpen: bit(b, 0x04),
          paperEnd: bit(b, 0x20),
          error: bit(b, 0x40) ? (s.error ?? 'unspecified') : null,
        };
      if (r.n === 3) return { ...base, error: errorFrom(bit(b, 0x04), bit(b, 0x08), bit(b, 0x20), bit(b, 0x40)) };
      return { ...base, paperNearEnd: bit(b, 0x0c), paperEnd: bit(b, 0x60) };
    }
    case 'gsr':
      return { ...s, known: true, unresponsive: false, paperNearEnd: bit(r.byte, 0x03), paperEnd: bit(r.byte, 0x0c) };
    case 'stray':
      return s;
  }
}

export function stateOf(s: PrinterStatus): PrinterState {
  if (!s.connected) return 'disconnected';
  if (s.unresponsive) return 'offline';
  if (!s.known) return 'unknown';
  if (s.coverOpen) return 'cover-open';
  if (s.paperEnd) return 'paper-end';
  if (s.error) return 'error';
  if (s.offline) return 'offline';
  if (s.paperNearEnd) return 'paper-near-end';
  return 'ready';
}

export function isUsableState(st: PrinterState): boolean {
  return st === 'ready' || st === 'paper-near-end';
}
