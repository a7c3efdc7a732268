// The kiosk's health as one JSON document (/healthz, the heartbeat, selftest) built from the parts that
// know: the reader driver, the session runtime, printer, keypad, CRL store, clock, disk, audit trail.
// Codes and counts only: no personal data can reach it (the last session is outcome + reason codes).
import type { ReaderDriver } from '../../drivers/reader/types.ts';
import type { KioskRuntime } from '../kiosk/runtime.ts';
import type { ResultView } from '../result/result-view.ts';
import type { IssuerStatus } from '../trust/crl/store.ts';
import type { ClockStatus } from './clock.ts';
import { diskStatus, type DiskStatus } from './disk.ts';

export interface PrinterProbe {
  health(): { state: string; usable: boolean; transport: string };
}
export interface KeypadProbe {
  status(): string;
  stuckKeys(): unknown[];
}
export interface AuditProbe {
  head(): { seq: number; hash: string };
  pendingUpload(): number;
  lastUploadError(): string | null;
  lastWriteError(): string | null;
}

export interface CrlHealth {
  issuerId: string;
  crlNumber: string | null;
  thisUpdate: string;
  nextUpdate: string;
  ageSeconds: number;
  secondsUntilNextUpdate: number;
  stale: boolean;
}

export interface LastSession {
  time: string;
  document: string | null;
  outcome: ResultView['outcome'];
  reasons: string[];
}

export interface HealthSnapshot {
  status: 'ok' | 'degraded' | 'failing';
  faults: string[];
  kioskId: string;
  site: string | null;
  version: string;
  time: string;
  uptimeSeconds: number;
  maintenance: { active: boolean; reason: string | null };
  reader: { service: boolean; readers: { name: string; cardPresent: boolean }[]; phase: string };
  printer: { state: string; usable: boolean; transport: string } | null;
  keypad: { status: string; stuckKeys: number } | null;
  crl: CrlHealth[];
  clock: ClockStatus;
  disk: DiskStatus | null;
  lastSession: LastSession | null;
  /**
   * A card left in the reader after its session (the escalating reminder, issue 19): the reminder level
   * reached and since when the first reminder fired; null when no card is being reminded about. Also the
   * fault CARD_LEFT while it lasts, so the fleet sees a forgotten card.
   */
  cardLeft?: { level: number; since: string } | null;
  /** Card-left reminders fired since the daemon started. */
  cardLeftAlerts?: number;
  audit: { headSeq: number; headHash: string; pendingUpload: number; uploadError: string | null; writeError: string | null } | null;
}

export interface HealthSources {
  kioskId: string;
  site: string | null;
  version: string;
  runtime: KioskRuntime;
  reader: ReaderDriver;
  printer?: PrinterProbe | null;
  keypad?: KeypadProbe | null;
  crl?: { status(): IssuerStatus[] } | null;
  clock: () => ClockStatus;
  disk?: { path: string; minFreeMb: number } | null;
  audit?: AuditProbe | null;
  maintenance?: () => { active: boolean; reason: string | null };
  now?: () => Date;
}

/** Faults that make the kiosk unable to serve ("failing") versus ones it can serve through ("degraded"). */
const FAILING = new Set(['READER_UNAVAILABLE', 'READER_NOT_FOUND', 'CLOCK_UNSYNCHRONIZED', 'AUDIT_WRITE_FAILED', 'DISK_LOW']);

export class HealthState {
  private last: LastSession | null = null;
  private cardLeftSince: string | null = null;
  private cardLeftAlerts = 0;
  readonly startedAt: Date;
  private readonly offs: (() => void)[] = [];

  constructor(private readonly s: HealthSources) {
    this.startedAt = this.now();
    this.offs.push(
      s.runtime.events.on(
        'session-ended',
        ({ result }) => (this.last = { time: this.now().toISOString(), document: result.document, outcome: result.outcome, reasons: [...result.reasons] }),
        'health',
      ),
      s.runtime.events.on(
        'alert',
        ({ kind, level }) => {
          if (kind !== 'card-left') return;
          this.cardLeftAlerts++;
          if (level === 1 || !this.cardLeftSince) this.cardLeftSince = this.now().toISOString();
        },
        'health',
      ),
    );
  }

  /** The reminder in force: read from the session state, so it ends the moment the card is taken. */
  cardLeft(): { level: number; since: string } | null {
    const st = this.s.runtime.getState();
    if (st.phase !== 'remove-card' || !(st.cardLeft > 0)) return null;
    return { level: st.cardLeft, since: this.cardLeftSince ?? this.now().toISOString() };
  }

  cardLeftAlertCount(): number {
    return this.cardLeftAlerts;
  }

  private now(): Date {
    return (this.s.now ?? (() => new Date()))();
  }

  lastSession(): LastSession | null {
    return this.last;
  }

  crl(): CrlHealth[] {
    if (!this.s.crl) return [];
    const now = this.now().getTime();
    let list: IssuerStatus[];
    try {
      list = this.s.crl.status();
    } catch {
      return [];
    }
    return list.map((c) => {
      const next = Date.parse(c.nextUpdate);
      return {
        issuerId: c.issuerId,
        crlNumber: c.crlNumber,
        thisUpdate: c.thisUpdate,
        nextUpdate: c.nextUpdate,
        ageSeconds: Math.round((now - Date.parse(c.thisUpdate)) / 1000),
        secondsUntilNextUpdate: Math.round((next - now) / 1000),
        stale: next <= now,
      };
    });
  }

  snapshot(): HealthSnapshot {
    const st = this.s.runtime.getState();
    const faults: string[] = [];
    const service = this.s.reader.serviceAvailable();
    const readers = service ? this.s.reader.readers() : [];
    if (!service) faults.push('READER_UNAVAILABLE');
    else if (!readers.length) faults.push('READER_NOT_FOUND');
    const printer = this.s.printer ? this.s.printer.health() : null;
    if (printer && !printer.usable) faults.push(`PRINTER_${printer.state.toUpperCase().replace(/-/g, '_')}`);
    const keypad = this.s.keypad ? { status: this.s.keypad.status(), stuckKeys: this.s.keypad.stuckKeys().length } : null;
    if (keypad && keypad.status !== 'ready') faults.push('KEYPAD_UNAVAILABLE');
    if (keypad?.stuckKeys) faults.push('KEYPAD_STUCK_KEY');
    const crl = this.crl();
    if (crl.some((c) => c.stale)) faults.push('CRL_STALE');
    const clock = this.s.clock();
    if (clock.synchronized === false) faults.push('CLOCK_UNSYNCHRONIZED');
    else if (clock.synchronized === null) faults.push('CLOCK_SYNC_UNKNOWN');
    let disk: DiskStatus | null = null;
    if (this.s.disk) {
      try {
        disk = diskStatus(this.s.disk.path, this.s.disk.minFreeMb);
        if (!disk.ok) faults.push('DISK_LOW');
      } catch {
        faults.push('DISK_UNKNOWN');
      }
    }
    let audit: HealthSnapshot['audit'] = null;
    if (this.s.audit) {
      const h = this.s.audit.head();
      audit = {
        headSeq: h.seq,
        headHash: h.hash,
        pendingUpload: this.s.audit.pendingUpload(),
        uploadError: this.s.audit.lastUploadError(),
        writeError: this.s.audit.lastWriteError(),
      };
      if (audit.writeError) faults.push('AUDIT_WRITE_FAILED');
      if (audit.uploadError) faults.push('AUDIT_UPLOAD_FAILING');
    }
    const cardLeft = this.cardLeft();
    if (cardLeft) faults.push('CARD_LEFT');
    const maintenance = this.s.maintenance?.() ?? { active: false, reason: null };
    if (maintenance.active) faults.push('MAINTENANCE');
    return {
      status: faults.some((f) => FAILING.has(f)) ? 'failing' : faults.length ? 'degraded' : 'ok',
      faults,
      kioskId: this.s.kioskId,
      site: this.s.site,
      version: this.s.version,
      time: this.now().toISOString(),
      uptimeSeconds: Math.round((this.now().getTime() - this.startedAt.getTime()) / 1000),
      maintenance,
      reader: { service, readers: readers.map((r) => ({ name: r.name, cardPresent: r.present })), phase: st.phase },
      printer,
      keypad,
      crl,
      clock,
      disk,
      lastSession: this.last,
      cardLeft,
      cardLeftAlerts: this.cardLeftAlerts,
      audit,
    };
  }

  stop(): void {
    for (const o of this.offs.splice(0)) o();
  }
}
