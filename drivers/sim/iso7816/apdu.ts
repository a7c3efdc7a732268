// Command-APDU parser (ISO/IEC 7816-3 §12.1.3 / 7816-4 §5.1): decides the case (1–4) and the length form
// (short or extended) from the byte count alone, the way a card does. It never throws: anything that does
// not fit one of the seven legal layouts comes back as a parse failure, which the card OS answers 6700.

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (empty for cases 1 and 2). */
  data: Buffer;
  /** Ne, the maximum number of response bytes expected; null when the APDU has no Le field (cases 1, 3). */
  ne: number | null;
  /** ISO case: 1 no data/no Le, 2 Le only, 3 data only, 4 data and Le. */
  case: 1 | 2 | 3 | 4;
  extended: boolean;
  /** Set by the card OS on a part of a command chain (CLA bit 0x10) for handlers registered with 'each'. */
  chained?: boolean;
}

export type ParseResult = { ok: true; apdu: CommandApdu } | { ok: false; reason: string };

export function parseCommandApdu(bytes: Buffer): ParseResult {
  const n = bytes.length;
  if (n < 4) return { ok: false, reason: `header needs 4 bytes, got ${n}` };
  const head = { cla: bytes.readUInt8(0), ins: bytes.readUInt8(1), p1: bytes.readUInt8(2), p2: bytes.readUInt8(3) };
  const empty = Buffer.alloc(0);
  if (n === 4) return { ok: true, apdu: { ...head, data: empty, ne: null, case: 1, extended: false } };
  const b5 = bytes.readUInt8(4);
  if (n === 5) return { ok: true, apdu: { ...head, data: empty, ne: b5 === 0 ? 256 : b5, case: 2, extended: false } };
  if (b5 !== 0) {
    // Short Lc = b5.
    const data = bytes.subarray(5, 5 + b5);
    if (n === 5 + b5) return { ok: true, apdu: { ...head, data, ne: null, case: 3, extended: false } };
    if (n === 6 + b5) {
      const le = bytes.readUInt8(n - 1);
      return { ok: true, apdu: { ...head, data, ne: le === 0 ? 256 : le, case: 4, extended: false } };
    }
    return { ok: false, reason: `short Lc ${b5} does not match body length ${n - 5}` };
  }
  // b5 = 00 and more bytes follow: extended form.
  if (n < 7) return { ok: false, reason: 'extended length field truncated' };
  const l = bytes.readUInt16BE(5);
  if (n === 7) return { ok: true, apdu: { ...head, data: empty, ne: l === 0 ? 65536 : l, case: 2, extended: true } };
  if (l === 0) return { ok: false, reason: 'extended Lc of 0' };
  const data = bytes.subarray(7, 7 + l);
  if (n === 7 + l) return { ok: true, apdu: { ...head, data, ne: null, case: 3, extended: true } };
  if (n === 9 + l) {
    const le = bytes.readUInt16BE(n - 2);
    return { ok: true, apdu: { ...head, data, ne: le === 0 ? 65536 : le, case: 4, extended: true } };
  }
  return { ok: false, reason: `extended Lc ${l} does not match body length ${n - 7}` };
}

/** Encode a command APDU (short form when it fits, else extended). Used by tests and host-side helpers. */
export function encodeCommandApdu(a: { cla: number; ins: number; p1: number; p2: number; data?: Buffer; ne?: number | null; extended?: boolean }): Buffer {
  const data = a.data ?? Buffer.alloc(0);
  const ne = a.ne ?? null;
  const ext = a.extended ?? (data.length > 255 || (ne !== null && ne > 256));
  const parts: Buffer[] = [Buffer.from([a.cla, a.ins, a.p1, a.p2])];
  if (!ext) {
    if (data.length > 0) parts.push(Buffer.from([data.length]), data);
    if (ne !== null) parts.push(Buffer.from([ne === 256 ? 0 : ne]));
  } else {
    const lc = Buffer.alloc(3);
    lc.writeUInt16BE(data.length, 1);
    if (data.length > 0) parts.push(lc, data);
    if (ne !== null) {
      const le = Buffer.alloc(data.length > 0 ? 2 : 3);
      le.writeUInt16BE(ne === 65536 ? 0 : ne, le.length - 2);
      parts.push(le);
    }
  }
  return Buffer.concat(parts);
}
