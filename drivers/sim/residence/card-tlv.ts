// BER-TLV as the virtual residence card writes and reads it: 1- or 2-byte tags (DF D1), lengths in the
// short form or 81 xx / 82 xx xx (docs/reference/residence.md "Encoding"). The card's own small codec, not
// the reader's: the card only needs to build its files and to read the single data objects hosts send
// (the SM Le object 96 02 xx xx, the VERIFY cryptogram 86 11 01 …).

export function tlv(tag: number, value: Buffer): Buffer {
  const t = tag > 0xff ? Buffer.from([tag >> 8, tag & 0xff]) : Buffer.from([tag]);
  const n = value.length;
  if (n > 0xffff) throw new RangeError('TLV value over 65535 bytes');
  const l = n < 0x80 ? Buffer.from([n]) : n <= 0xff ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([t, l, value]);
}

/** The one data object that makes up `data` with a 1-byte tag, or null when `data` is anything else. */
export function soleDataObject(data: Buffer): { tag: number; value: Buffer } | null {
  if (data.length < 2) return null;
  const tag = data[0]!;
  let len = data[1]!;
  let at = 2;
  if (len === 0x81) {
    if (data.length < 3) return null;
    len = data[2]!;
    at = 3;
  } else if (len === 0x82) {
    if (data.length < 4) return null;
    len = data.readUInt16BE(2);
    at = 4;
  } else if (len > 0x7f) return null;
  if (at + len !== data.length) return null;
  return { tag, value: data.subarray(at) };
}
