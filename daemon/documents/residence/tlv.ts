// BER-TLV as the residence card files use it (docs/reference/residence.md "Encoding"): 1- or 2-byte tags (`DF D1`), lengths in the
// short form or `81 xx` / `82 xx xx`, several TLVs per file, trailing 00 padding ignored. Strict: a
// length running past the data, an unsupported length form or garbage after the padding is an error, so
// a malformed or tampered file never yields partially parsed fields.
import { ErrorCodes, KioskError } from '../../../core/errors.ts';

export interface Tlv {
  /** Tag as a number: 0xC1, 0xDFD1… */
  tag: number;
  value: Buffer;
}

const bad = (what: string, msg: string) => new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: ${msg}`);

export function parseTlvs(data: Buffer, what: string): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < data.length) {
    if (data[i] === 0x00 || data[i] === 0xff) {
      // Padding: everything left must be padding too.
      const pad = data[i];
      for (let k = i; k < data.length; k++) if (data[k] !== pad) throw bad(what, `data after padding at offset ${k}`);
      break;
    }
    let tag = data[i++]!;
    if ((tag & 0x1f) === 0x1f) {
      if (i >= data.length) throw bad(what, 'truncated tag');
      // Always exactly 2 bytes here: the card's `DF D1` has bit 8 set in the second byte, which strict
      // BER would read as "more tag bytes follow" (docs/reference/residence.md "Encoding").
      tag = (tag << 8) | data[i++]!;
    }
    if (i >= data.length) throw bad(what, `tag ${tag.toString(16)} without length`);
    const first = data[i++]!;
    let len: number;
    if (first < 0x80) len = first;
    else if (first === 0x81 || first === 0x82) {
      const n = first & 0x7f;
      if (i + n > data.length) throw bad(what, 'truncated length');
      len = n === 1 ? data[i]! : data.readUInt16BE(i);
      i += n;
    } else throw bad(what, `unsupported length form ${first.toString(16)}`);
    if (i + len > data.length) throw bad(what, `tag ${tag.toString(16)} length ${len} runs past the data (${data.length - i} left)`);
    out.push({ tag, value: data.subarray(i, i + len) });
    i += len;
  }
  return out;
}

/** Tag → value; a tag appearing twice is malformed (a spliced file must not pass as the first copy). */
export function tlvMap(tlvs: Tlv[], what: string): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  for (const t of tlvs) {
    if (m.has(t.tag)) throw bad(what, `tag ${t.tag.toString(16)} appears twice`);
    m.set(t.tag, t.value);
  }
  return m;
}

export function encodeTlv(tag: number, value: Buffer): Buffer {
  const t = tag > 0xff ? Buffer.from([tag >> 8, tag & 0xff]) : Buffer.from([tag]);
  const n = value.length;
  const l = n < 0x80 ? Buffer.from([n]) : n <= 0xff ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  if (n > 0xffff) throw new KioskError(ErrorCodes.INTERNAL, 'TLV value over 65535 bytes');
  return Buffer.concat([t, l, value]);
}
