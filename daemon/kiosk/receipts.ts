// Receipts: one per verified, chip-read or refused session, printed through the Printer's job queue (confirmed or
// failed with a reason — never silently lost), with a QR token signed by the device key. The receipt
// model (drivers/printer/receipt-content.ts) has no field for the My Number, a PIN, an address or a
// birth date; the holder's name is masked per configuration. While the printer cannot print and the
// configuration requires a receipt, the kiosk starts no session (runtime blocker 'printer').
import type { Printer } from '../../drivers/printer/printer.ts';
import { buildVerificationReceipt, newReference, type NameMask } from '../../drivers/printer/receipt-content.ts';
import { createReceiptToken, type Verdict } from '../../drivers/printer/token.ts';
import { TypedEvents } from '../../drivers/typed-events.ts';
import type { DeviceKey } from '../device/device-key.ts';
import type { Logger } from '../../core/log.ts';
import { documentKind, holderNameOf } from '../result/document-types.ts';
import { reasonWords } from './reason-words.ts';
import type { KioskRuntime } from './runtime.ts';
import type { ResultView } from '../result/result-view.ts';

export interface ReceiptJobView {
  session: number;
  reference: string;
  /**
   * `held`: the printer cannot print it now (paper out, cover open…: `code` says why); it may still print
   * once the printer recovers, but the holder is told at once, with the reference to note (issue 19).
   */
  state: 'printing' | 'held' | 'confirmed' | 'failed';
  /** Failure code (PRINTER_PAPER_END, …) for the screen's guidance. */
  code: string | null;
}

export interface ReceiptOptions {
  printer: Printer;
  runtime: KioskRuntime;
  deviceKey: DeviceKey;
  kioskId: string;
  operatorId: string;
  nameMask: NameMask;
  requireForSession: boolean;
  log?: Logger;
  now?: () => Date;
}

/** Outcomes that print a receipt; chip-read has its own verdict (never 'ok'). */
const VERDICT: Partial<Record<ResultView['outcome'], Verdict>> = { verified: 'ok', 'chip-read': 'chip-read', refused: 'refused' };

/**
 * The verdict printed. The verdict gate (daemon/policy/verdict-gate.ts) already guarantees that `verified`
 * means proven; paper in a clerk's hand does not take that on trust either (like the screen): 確認済 only
 * with authenticity `proven`, the chip-read words only with authenticity `chip-read`.
 */
export function receiptVerdict(result: Pick<ResultView, 'outcome' | 'authenticity'>): Verdict | null {
  const v = VERDICT[result.outcome] ?? null;
  if (v === 'ok' && result.authenticity !== 'proven') return 'refused';
  if (v === 'chip-read' && result.authenticity !== 'chip-read') return 'refused';
  return v;
}

export class ReceiptService {
  readonly events = new TypedEvents<{ job: ReceiptJobView; printer: { state: string; usable: boolean } }>();
  private last: ReceiptJobView | null = null;
  private readonly off: (() => void)[] = [];

  constructor(private readonly o: ReceiptOptions) {
    this.off.push(
      o.runtime.events.on('session-ended', ({ session, result }) => void this.print(session, result), 'receipts'),
      o.printer.on('status', ({ state }) => this.printerChanged(state), 'receipts'),
    );
    this.printerChanged(o.printer.state());
  }

  lastJob(): ReceiptJobView | null {
    return this.last;
  }

  dispose(): void {
    for (const f of this.off.splice(0)) f();
    this.o.printer.removeOwner('receipts');
  }

  private printerChanged(state: string): void {
    const usable = this.o.printer.isUsable();
    if (this.o.requireForSession) this.o.runtime.block('printer', !usable);
    this.events.emit('printer', { state, usable });
  }

  /** Prints the receipt of a finished session (verified, chip-read or refused; cancelled and failed reads print nothing). */
  async print(session: number, result: ResultView): Promise<ReceiptJobView | null> {
    const verdict = receiptVerdict(result);
    // A refusal before the document was identified (PIN locked at the first query, unsupported card) has
    // nothing a clerk could check on paper; the screen gives the guidance.
    if (!verdict || !result.document) return null;
    const now = (this.o.now ?? (() => new Date()))();
    const kind = documentKind(result);
    const reference = newReference(now);
    const job: ReceiptJobView = { session, reference, state: 'printing', code: null };
    this.update(job);
    try {
      const token = await createReceiptToken(
        { issuedAt: now, verdict, kioskId: this.o.kioskId, reference, documentType: kind.documentType.slice(0, 24), method: kind.method.slice(0, 32) },
        (payload) => this.o.deviceKey.sign(payload),
        this.o.deviceKey.publicKey,
      );
      const receipt = buildVerificationReceipt(
        {
          kioskId: this.o.kioskId,
          operatorId: this.o.operatorId,
          issuedAt: now,
          documentType: kind.documentType,
          method: kind.method,
          verdict,
          reasons: result.reasons,
          reasonWords: result.reasons.map((code) => reasonWords(code, result.document)),
          reference,
          holderName: holderNameOf(result) ?? undefined,
          token,
          age: result.policy?.age ?? undefined,
          authenticity: result.authenticity ?? null,
          holderBinding: result.holderBinding ?? null,
        },
        { nameMask: this.o.nameMask },
      );
      // The printer reports a job it cannot print now ('waiting' for paper, 'interrupted' mid-print)
      // synchronously from print(): listen first, then keep this job's events.
      let id: number | null = null;
      const early: { id: number; state: string; code?: string }[] = [];
      const onJob = (e: { id: number; state: string; code?: string }) => {
        if (e.id !== id || !e.code) return;
        if ((e.state === 'waiting' || e.state === 'interrupted') && this.last?.reference === reference && this.last.state !== 'held')
          this.update({ ...job, state: 'held', code: e.code });
      };
      const offJob = this.o.printer.on('job', (e) => (id === null ? early.push(e) : onJob(e)), 'receipts');
      let outcome: Awaited<ReturnType<typeof this.o.printer.print>['done']>;
      try {
        const handle = this.o.printer.print(receipt);
        id = handle.id;
        early.forEach(onJob);
        outcome = await handle.done;
      } finally {
        offJob();
      }
      this.o.log?.(`receipt ${reference} for session ${session}: ${outcome.status}${outcome.code ? ` (${outcome.code})` : ''}`);
      return this.update({ ...job, state: outcome.status, code: outcome.code ?? null });
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'INTERNAL';
      this.o.log?.(`receipt ${reference} for session ${session}: failed (${code})`);
      return this.update({ ...job, state: 'failed', code });
    }
  }

  private update(job: ReceiptJobView): ReceiptJobView {
    this.last = job;
    this.events.emit('job', job);
    return job;
  }
}
