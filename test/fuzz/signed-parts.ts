// The judge's own view of what a signature covers, written apart from the daemon's parsers (a shared bug
// would otherwise hide itself): a strict DER walker and the signed parts of an X.509 certificate (RFC 5280
// §4.1: tbsCertificate is signed; signatureValue is the proof) and of a CMS SignedData (RFC 5652 §5.4:
// the signature covers the DER of signedAttrs, which carry the eContent's digest; with no signedAttrs it
// covers eContent itself). A mutation that leaves every signed part byte-identical is "outside what is
// signed" (framing, unsigned attributes, the SignerInfo's sid…) and may at most keep the genuine verdict.
// Anything this walker cannot take apart counts as a change to signed data.

interface Der {
  tag: number;
  /** The whole TLV. */
  raw: Buffer;
  value: Buffer;
}

/** One BER TLV at `at` (tags of up to 3 bytes, definite lengths only), or null. */
function der(buf: Buffer, at = 0): Der | null {
  if (at + 2 > buf.length) return null;
  let tag = buf[at]!;
  let p = at + 1;
  if ((tag & 0x1f) === 0x1f) {
    do {
      if (p >= buf.length || p - at > 2) return null;
      tag = tag * 256 + buf[p]!;
    } while (buf[p++]! & 0x80);
  }
  if (p >= buf.length) return null;
  let len = buf[p++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || p + n > buf.length) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > buf.length) return null;
  return { tag, raw: buf.subarray(at, p + len), value: buf.subarray(p, p + len) };
}

/** Every child TLV of `value`, which they must fill exactly; null otherwise. */
function kids(value: Buffer): Der[] | null {
  const out: Der[] = [];
  for (let at = 0; at < value.length; ) {
    const d = der(value, at);
    if (!d) return null;
    out.push(d);
    at += d.raw.length;
  }
  return out;
}

/** tbsCertificate and signatureValue of the certificate that starts the buffer (bytes after it are padding). */
export function certificateSignedParts(buf: Buffer): Buffer[] | null {
  const c = der(buf);
  const k = c && c.tag === 0x30 ? kids(c.value) : null;
  if (k?.length !== 3 || k[0]!.tag !== 0x30 || k[2]!.tag !== 0x03) return null;
  return [k[0]!.raw, k[2]!.value];
}

/**
 * CMS ContentInfo(SignedData): eContentType, eContent, every certificate's signed parts, and per SignerInfo
 * its signedAttrs (or nothing) and signature value.
 */
export function signedDataSignedParts(buf: Buffer): Buffer[] | null {
  // EF.SOD wraps the ContentInfo in application tag 23 (ICAO 9303-10 §4.6.2): framing, not signed.
  const outer = der(buf);
  const ci = outer && outer.tag === 0x77 ? der(outer.value) : outer;
  const ck = ci && ci.tag === 0x30 ? kids(ci.value) : null;
  if (ck?.length !== 2 || ck[1]!.tag !== 0xa0) return null;
  const sd = der(ck[1]!.value);
  const s = sd && sd.tag === 0x30 ? kids(sd.value) : null;
  if (!s || s.length < 4) return null;
  const encap = kids(s[2]!.value);
  if (encap?.length !== 2 || encap[0]!.tag !== 0x06 || encap[1]!.tag !== 0xa0) return null;
  const octets = der(encap[1]!.value);
  if (octets?.tag !== 0x04) return null;
  const parts: Buffer[] = [encap[0]!.raw, octets.value];
  for (const item of s.slice(3, -1)) {
    if (item.tag !== 0xa0) continue; // [1] CRLs: not what the signer signed
    for (const cert of kids(item.value) ?? []) {
      const p = certificateSignedParts(cert.raw);
      if (!p) return null;
      parts.push(...p);
    }
  }
  const signers = s.at(-1)!;
  if (signers.tag !== 0x31) return null;
  for (const si of kids(signers.value) ?? []) {
    const f = kids(si.value);
    if (!f) return null;
    const attrs = f.find((x) => x.tag === 0xa0);
    const sig = f.find((x, i) => i > 2 && x.tag === 0x04);
    if (!sig) return null;
    parts.push(attrs ? attrs.value : Buffer.alloc(0), sig.value);
  }
  return parts;
}

/**
 * A file holding one template (FF20, FF30, 7F21…): the children's raw TLVs, except those listed in `skip`
 * (e.g. DF21's offset table, which the hash leaves out) and, with `until`, those after the tag it names
 * (DF28: what follows the 券面AP signature is not covered). Bytes after the template are padding.
 */
export function templateParts(outer: number, o: { skip?: number[]; until?: number } = {}) {
  return (buf: Buffer): Buffer[] | null => {
    const t = der(buf);
    if (!t || t.tag !== outer) return null;
    const ks = kids(t.value);
    if (!ks) return null;
    const end = o.until === undefined ? ks.length : ks.findIndex((k) => k.tag === o.until) + 1;
    if (end <= 0) return null;
    return ks
      .slice(0, end)
      .filter((k) => !o.skip?.includes(k.tag))
      .map((k) => k.raw);
  };
}

/**
 * A flat file of single-byte-tag TLVs whose signature covers values only, each right-padded with 00 to a
 * fixed size (the residence card, docs/reference/residence.md "Issuer signature"). `concat`: all values in
 * file order as one field padded to that size (2nd-gen printed entries); otherwise the listed tags.
 */
export function paddedValues(fields: { tag: number; size: number }[] | { concat: number }) {
  const pad = (v: Buffer, n: number) => (v.length >= n ? v : Buffer.concat([v, Buffer.alloc(n - v.length)]));
  return (buf: Buffer): Buffer[] | null => {
    const all = kids(buf.subarray(0, lengthOfTlvs(buf)));
    if (!all) return null;
    // (Array.isArray, not `'concat' in fields`: every array has a concat method.)
    if (!Array.isArray(fields)) return [pad(Buffer.concat(all.map((k) => k.value)), fields.concat)];
    const parts: Buffer[] = [];
    for (const f of fields) {
      const d = all.find((x) => x.tag === f.tag);
      if (!d) return null;
      parts.push(pad(d.value, f.size));
    }
    return parts;
  };
}

/**
 * The value of the first simple-TLV/BER object (the licence EF07's signature field). Its tag is framing:
 * EF07's tags are not published (docs/reference/license.md §10), the reader takes its fields by position, and
 * what is checked is the signature value itself — a changed tag over the genuine signature forges nothing.
 */
export function firstValue(buf: Buffer): Buffer[] | null {
  const d = der(buf);
  return d ? [d.value] : null;
}

/** Values of the objects with the given tags inside a flat TLV file, certificates by their signed parts. */
export function tlvFileParts(tags: { value: number[]; certificate: number[] }) {
  return (buf: Buffer): Buffer[] | null => {
    const all = kids(buf.subarray(0, lengthOfTlvs(buf)));
    if (!all) return null;
    const parts: Buffer[] = [];
    for (const t of tags.value) {
      const d = all.find((x) => x.tag === t);
      if (!d) return null;
      parts.push(d.value);
    }
    for (const t of tags.certificate) {
      const d = all.find((x) => x.tag === t);
      const p = d ? certificateSignedParts(d.value) : null;
      if (!p) return null;
      parts.push(...p);
    }
    return parts;
  };
}

/** Length of the run of whole TLVs at the start of the buffer (files are padded after their last object). */
function lengthOfTlvs(buf: Buffer): number {
  let at = 0;
  for (;;) {
    if (at >= buf.length || buf[at] === 0x00 || buf[at] === 0xff) return at;
    const d = der(buf, at);
    if (!d) return at;
    at += d.raw.length;
  }
}

export const sameParts = (a: Buffer[] | null, b: Buffer[] | null): boolean =>
  a !== null && b !== null && a.length === b.length && a.every((x, i) => x.equals(b[i]!));
