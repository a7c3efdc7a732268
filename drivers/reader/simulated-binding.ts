// The in-process reader binding: virtual cards (drivers/sim) plugged straight into the kiosk, no pcscd.
// Used by the demo when no real reader is configured and by fast unit tests of the document flows. It
// behaves like the real binding where the kiosk can tell: SHARED connect, card-removed errors on a
// transmit after removal, service loss.
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import type { VirtualCard } from '../sim/virtual-card.ts';
import { TypedEvents } from '../typed-events.ts';
import type { CardChannel, ReaderDriver, ReaderEventMap, ReaderState } from './types.ts';

interface Slot {
  card: VirtualCard | null;
  /** Incremented on every insertion so a channel knows its card is gone even if another was inserted. */
  generation: number;
  /** Exchanges waiting on a card that went silent: woken when the card is pulled. */
  waiting: Set<() => void>;
}

export interface SimulatedReaderOptions {
  /** Per-APDU timeout (ms), as PcscOptions.transmitTimeoutMs: a silent card ends the exchange with READER_TIMEOUT. */
  transmitTimeoutMs?: number;
}

export class SimulatedReaderDriver implements ReaderDriver {
  private readonly events = new TypedEvents<ReaderEventMap>();
  private readonly slots = new Map<string, Slot>();
  private available = true;
  private started = false;

  private readonly transmitTimeoutMs: number;

  constructor(readerNames: string[] = ['idkiosk Simulated Reader 00 00'], options: SimulatedReaderOptions = {}) {
    for (const n of readerNames) this.slots.set(n, { card: null, generation: 0, waiting: new Set() });
    this.transmitTimeoutMs = options.transmitTimeoutMs ?? 10_000;
  }

  on<K extends keyof ReaderEventMap>(event: K, listener: (e: ReaderEventMap[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.events.emit('service', { available: this.available });
    for (const [name, slot] of this.slots) {
      this.events.emit('reader-added', { name });
      if (slot.card) this.events.emit('card-inserted', { reader: name, atr: slot.card.atr });
    }
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  serviceAvailable(): boolean {
    return this.available;
  }

  readers(): ReaderState[] {
    if (!this.available) return [];
    return [...this.slots].map(([name, s]) => ({ name, present: s.card !== null, atr: s.card?.atr ?? null }));
  }

  /** Place a card on the reader (power-on reset). */
  insert(card: VirtualCard, readerName = this.firstReader()): void {
    const slot = this.slot(readerName);
    if (slot.card) this.remove(readerName);
    card.reset();
    slot.card = card;
    slot.generation++;
    if (this.started && this.available) this.events.emit('card-inserted', { reader: readerName, atr: card.atr });
  }

  /** Pull the card. */
  remove(readerName = this.firstReader()): void {
    const slot = this.slot(readerName);
    if (!slot.card) return;
    slot.card = null;
    slot.generation++;
    for (const wake of [...slot.waiting]) wake();
    if (this.started && this.available) this.events.emit('card-removed', { reader: readerName });
  }

  /** Simulate pcscd going away / coming back. */
  setServiceAvailable(available: boolean): void {
    if (available === this.available) return;
    if (!available) {
      for (const [name, slot] of this.slots) {
        if (slot.card) this.events.emit('card-removed', { reader: name });
        this.events.emit('reader-removed', { name });
        slot.generation++;
      }
      this.available = false;
      this.events.emit('service', { available: false, reason: 'simulated outage' });
    } else {
      this.available = true;
      this.events.emit('service', { available: true });
      for (const [name, slot] of this.slots) {
        this.events.emit('reader-added', { name });
        if (slot.card) this.events.emit('card-inserted', { reader: name, atr: slot.card.atr });
      }
    }
  }

  async connect(readerName: string): Promise<CardChannel> {
    if (!this.available) throw new KioskError(ErrorCodes.READER_UNAVAILABLE, 'reader service unavailable');
    const slot = this.slots.get(readerName);
    if (!slot) throw new KioskError(ErrorCodes.READER_NOT_FOUND, `no reader named "${readerName}"`);
    const card = slot.card;
    if (!card) throw new KioskError(ErrorCodes.READER_NO_CARD, `no card in "${readerName}"`);
    const generation = slot.generation;
    let open = true;
    let timedOut = false;
    return {
      readerName,
      atr: card.atr,
      protocol: 'T1',
      transmit: async (apdu: Buffer, timeoutMs = this.transmitTimeoutMs) => {
        await Promise.resolve();
        if (!this.available) throw new KioskError(ErrorCodes.READER_UNAVAILABLE, 'reader service unavailable');
        if (!open || slot.generation !== generation || slot.card !== card) {
          throw new KioskError(ErrorCodes.CARD_REMOVED, 'card was removed');
        }
        if (timedOut) throw new KioskError(ErrorCodes.READER_TIMEOUT, 'the card stopped answering earlier in this session');
        if (card.mute) {
          // A silent chip: no answer until the timeout, or until the card is pulled. The channel is void
          // afterwards, as the pcsc binding's is.
          await new Promise<void>((resolve) => {
            const wake = () => {
              clearTimeout(timer);
              slot.waiting.delete(wake);
              resolve();
            };
            const timer = setTimeout(wake, timeoutMs);
            slot.waiting.add(wake);
          });
          timedOut = true;
          if (slot.generation !== generation) throw new KioskError(ErrorCodes.CARD_REMOVED, 'card was removed during the exchange');
          throw new KioskError(ErrorCodes.READER_TIMEOUT, `no response within ${timeoutMs} ms`);
        }
        return Buffer.from(card.process(Buffer.from(apdu)));
      },
      disconnect: async () => {
        if (open && slot.card === card && slot.generation === generation) card.reset();
        open = false;
      },
    };
  }

  private firstReader(): string {
    const first = this.slots.keys().next();
    if (first.done) throw new KioskError(ErrorCodes.READER_NOT_FOUND, 'no simulated reader');
    return first.value;
  }

  private slot(name: string): Slot {
    const s = this.slots.get(name);
    if (!s) throw new KioskError(ErrorCodes.READER_NOT_FOUND, `no reader named "${name}"`);
    return s;
  }
}
