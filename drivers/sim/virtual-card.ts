// What every virtual card implements. The same object can sit behind the in-process simulated reader
// binding or behind a vpcd TCP connection into the real pcscd (drivers/sim/vpcd-client.ts).

export interface VirtualCard {
  /** Answer-to-reset bytes of the emulated card. */
  readonly atr: Buffer;
  /** Power-on / warm reset: clears volatile state (current DF/EF, security status, SM session). */
  reset(): void;
  /**
   * Process one C-APDU and return the R-APDU (data ‖ SW1 SW2). Never throws on bad input: a card answers
   * malformed commands with a status word (6700, 6A86, 6D00, 6E00…), and so must the emulator.
   */
  process(apdu: Buffer): Buffer;
  /**
   * True when the card has stopped answering (a fault a test asks for, drivers/sim/iso7816/link.ts): the
   * transport must send no R-APDU at all, as a chip that went silent mid-session gives none.
   */
  readonly mute?: boolean;
}
