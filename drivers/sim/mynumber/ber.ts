// BER-TLV encoding for the card's personalisation (definite lengths; 1–3-octet tags as given).
export function tlv(tag: number, value: Buffer): Buffer {
  const tagBytes: number[] = [];
  for (let t = tag; t > 0; t = Math.floor(t / 256)) tagBytes.unshift(t & 0xff);
  const n = value.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from(tagBytes), Buffer.from(len), value]);
}
