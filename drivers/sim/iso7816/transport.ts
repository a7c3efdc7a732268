// Transport-level behaviour a card may show on top of its application logic (docs/reference/iso7816.md §4). The defaults
// model a T=1 card with extended-length support; the quirks model T=0-style cards and older chips so the
// host's 61xx / 6Cxx / chunking code paths get exercised.

export interface TransportQuirks {
  /** Announce every answer that carries data with `61 xx`; the host must fetch it with GET RESPONSE. */
  getResponse?: boolean;
  /** A fixed-length answer (e.g. a signature) whose Le is not exactly its length gets `6C xx`. */
  wrongLe?: boolean;
  /** Refuse extended-length APDUs with 6700 (card or reader without extended length). */
  rejectExtended?: boolean;
  /** Largest READ BINARY answer the chip gives; a larger Le is refused with 6700 (older chips). */
  maxReadLength?: number;
}

/** What a command handler produces before transport rules are applied. */
export interface CardResponse {
  sw: number;
  data?: Buffer;
  /** The answer has one length only (signature, challenge): Le below it is an error, not a truncation. */
  fixedLength?: boolean;
}
