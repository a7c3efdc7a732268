// Reader and link behaviour seen in the field, applied around ANY virtual card (My Number, licence,
// residence card, passport) without touching its application code: the card answers as usual, and this
// layer changes what the host sees the way a contactless reader, a T=0 link or a tired chip would.
//
//   atr          the ATR the reader reports; a PC/SC Part 3 contactless ATR (3B 8n 80 01 …) replaces the
//                card's contact ATR — the host must not depend on the ATR (it detects by SELECT)
//   noExtended   extended-length APDUs are refused with 6700 (readers and chips without extended length)
//   maxLe        largest response data the link returns in one R-APDU: an answer longer than N to a
//                command whose Le allows more is refused with 6700 (short Le limits of some readers)
//   getResponse  every answer with data comes as 61xx; the host fetches it with GET RESPONSE (T=0)
//   wrongLe      a short Le that is not the exact length of the answer gets 6Cxx; the same command
//                re-sent with that Le gets the answer (T=0 case 2); the command runs once on the card
//   silentAfter  after N APDUs since power-on the card stops answering (no R-APDU at all) until it is
//                reset or pulled: the "card stops answering mid-session" fault
//
// Rules from ISO/IEC 7816-3 §12.2 (T=0 61xx/6Cxx procedures) and 7816-4 §5.1.3 / §5.6 (status words),
// PC/SC Part 3 §3.1.3.2.3 (ATR of contactless cards); see docs/reference/iso7816.md.
import { parseCommandApdu } from './apdu.ts';
import { rapdu, SW } from './status.ts';
import type { VirtualCard } from '../virtual-card.ts';

export interface LinkQuirks {
  atr?: Buffer;
  noExtended?: boolean;
  maxLe?: number;
  getResponse?: boolean;
  wrongLe?: boolean;
  silentAfter?: number;
}

const EMPTY = Buffer.alloc(0);

/** R-APDU split into data and status word. */
function split(r: Buffer): { data: Buffer; sw: number } {
  return { data: r.subarray(0, r.length - 2), sw: r.readUInt16BE(r.length - 2) };
}

const moreData = (n: number) => 0x6100 | (n >= 256 ? 0 : n);

export class LinkedCard implements VirtualCard {
  readonly atr: Buffer;
  #answered = 0;
  /** Data waiting for GET RESPONSE, and the status word that ends it. */
  #pending: { data: Buffer; sw: number } | null = null;
  /** The command answered 6Cxx, and what the card gave it: served again on the re-send with Le = xx. */
  #wrongLe: { command: Buffer; le: number; response: Buffer } | null = null;

  constructor(
    readonly card: VirtualCard,
    readonly quirks: LinkQuirks,
  ) {
    this.atr = Buffer.from(quirks.atr ?? card.atr);
  }

  /** True once the card has gone silent: transports send no answer to the next APDU. */
  get mute(): boolean {
    return (this.quirks.silentAfter !== undefined && this.#answered >= this.quirks.silentAfter) || this.card.mute === true;
  }

  /** APDUs answered since power-on. */
  get answered(): number {
    return this.#answered;
  }

  reset(): void {
    this.#answered = 0;
    this.#pending = null;
    this.#wrongLe = null;
    this.card.reset();
  }

  process(apdu: Buffer): Buffer {
    this.#answered++;
    const parsed = parseCommandApdu(apdu);
    if (!parsed.ok) return this.card.process(apdu);
    const cmd = parsed.apdu;
    const q = this.quirks;
    if (q.noExtended && cmd.extended) return rapdu(SW.WRONG_LENGTH);

    if (q.getResponse && cmd.cla === 0x00 && cmd.ins === 0xc0 && this.#pending) return this.#getResponse(this.#pending, cmd.ne, cmd.p1, cmd.p2);
    this.#pending = null;

    // The re-send after 6Cxx: same command, Le = the announced length.
    const retry = this.#wrongLe;
    this.#wrongLe = null;
    let answer: Buffer;
    if (retry && cmd.ne === retry.le && sameCommand(apdu, retry.command)) {
      const r = split(retry.response);
      // Now that Le matches, "fewer bytes than Le" (6282) no longer applies.
      answer = rapdu(r.sw === 0x6282 ? SW.OK : r.sw, r.data);
    } else {
      answer = this.card.process(apdu);
    }

    const { data, sw } = split(answer);
    if (data.length === 0) return answer;
    if (q.maxLe !== undefined && data.length > q.maxLe && (cmd.ne ?? 0) > q.maxLe) return rapdu(SW.WRONG_LENGTH);
    if (q.wrongLe && !cmd.extended && cmd.ne !== null && data.length < cmd.ne) {
      this.#wrongLe = { command: Buffer.from(apdu), le: data.length, response: answer };
      return rapdu(0x6c00 | data.length);
    }
    if (q.getResponse) {
      this.#pending = { data: Buffer.from(data), sw };
      return rapdu(moreData(data.length));
    }
    return answer;
  }

  #getResponse(pending: { data: Buffer; sw: number }, ne: number | null, p1: number, p2: number): Buffer {
    if (p1 !== 0 || p2 !== 0) return rapdu(SW.WRONG_P1P2);
    if (ne === null) return rapdu(SW.WRONG_LENGTH);
    const part = pending.data.subarray(0, ne);
    const rest = pending.data.subarray(ne);
    this.#pending = rest.length > 0 ? { data: rest, sw: pending.sw } : null;
    return rapdu(rest.length > 0 ? moreData(rest.length) : pending.sw, part.length > 0 ? part : EMPTY);
  }
}

/** Same command apart from its Le byte (the last byte of a short case 2 or case 4 APDU). */
function sameCommand(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.subarray(0, a.length - 1).equals(b.subarray(0, b.length - 1));
}

/** A card wrapped with link quirks, or the card itself when there are none. */
export function withLink(card: VirtualCard, quirks: LinkQuirks): VirtualCard {
  return Object.values(quirks).some((v) => v !== undefined && v !== false) ? new LinkedCard(card, quirks) : card;
}

// ---- PC/SC Part 3 ATR of contactless cards ----

/**
 * The ATR a PC/SC reader reports for an ISO/IEC 14443-4 card (PC/SC Part 3 §3.1.3.2.3.1):
 * `3B 8n 80 01 ‖ historical bytes ‖ TCK`, n = number of historical bytes (≤ 15), TCK = XOR of T0…last.
 * Type A: the historical bytes of the card's ATS. Type B: ATQB application data (4) ‖ protocol info (3) ‖
 * MBLI|CID (1) — always 8 bytes.
 */
export function contactlessAtr(historical: Buffer): Buffer {
  if (historical.length > 15) throw new RangeError('at most 15 historical bytes');
  const body = Buffer.concat([Buffer.from([0x3b, 0x80 | historical.length, 0x80, 0x01]), historical]);
  let tck = 0;
  for (const b of body.subarray(1)) tck ^= b;
  return Buffer.concat([body, Buffer.from([tck])]);
}

/** Historical bytes of a contact ATR (ISO/IEC 7816-3 §8.2): skips the interface bytes that T0/TDi announce. */
export function historicalBytes(atr: Buffer): Buffer {
  const t0 = atr[1];
  if (t0 === undefined) return EMPTY;
  const k = t0 & 0x0f;
  let pos = 2;
  let y = t0 >> 4;
  for (;;) {
    pos += (y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1); // TAi, TBi, TCi
    const td = y & 8 ? atr[pos++] : undefined; // TDi announces the next group
    if (td === undefined) break;
    y = td >> 4;
  }
  return Buffer.from(atr.subarray(pos, pos + k));
}
