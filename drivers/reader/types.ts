// The reader seam. Everything above this file talks APDUs through a CardChannel and never sees PC/SC;
// the real binding (pcsclite) and the in-process simulated binding both implement ReaderDriver.

export type Protocol = 'T0' | 'T1' | 'RAW';

/** One connected card. `transmit` is raw: one C-APDU in, one R-APDU (data ‖ SW1 SW2) out. */
export interface CardChannel {
  readonly readerName: string;
  readonly atr: Buffer;
  readonly protocol: Protocol;
  /** Throws KioskError CARD_REMOVED / READER_TIMEOUT / READER_TRANSMIT_FAILED / READER_UNAVAILABLE. */
  transmit(apdu: Buffer, timeoutMs?: number): Promise<Buffer>;
  disconnect(): Promise<void>;
}

export interface ReaderState {
  name: string;
  /** A card is present and powered (or powerable). */
  present: boolean;
  atr: Buffer | null;
}

/** Events a ReaderDriver emits; listeners get them in the order the hardware reported them. */
export interface ReaderEventMap {
  /** pcscd (or the simulated backend) is reachable / has gone away. */
  service: { available: boolean; reason?: string };
  'reader-added': { name: string };
  'reader-removed': { name: string };
  'card-inserted': { reader: string; atr: Buffer };
  'card-removed': { reader: string };
}

export type ReaderEventName = keyof ReaderEventMap;
export type ReaderListener<K extends ReaderEventName> = (event: ReaderEventMap[K]) => void;

export interface ReaderDriver {
  start(): void;
  stop(): Promise<void>;
  readers(): ReaderState[];
  serviceAvailable(): boolean;
  on<K extends ReaderEventName>(event: K, listener: ReaderListener<K>): () => void;
  /** SHARED connect; T=0 or T=1 as the card offers. */
  connect(readerName: string): Promise<CardChannel>;
}
