// The hot loop of the CRL reader: revokedCertificates entries parsed in place in the chunk buffer.
//   SEQUENCE { userCertificate INTEGER, revocationDate Time, crlEntryExtensions Extensions OPTIONAL }
// No allocation per entry; every length is checked against its container; entry extensions other than
// reasonCode and invalidityDate are ignored unless critical (then the CRL is rejected); certificateIssuer
// (indirect CRLs) rejects the CRL.
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
import type { ChunkedInput } from './chunked-input.ts';
import type { CrlEntryHandler } from './crl-reader.ts';
import { decodeLength, NEED_MORE } from '../../encoding/ber-tlv.ts';
import { CRL_DER, decodeTime, lengthError, malformed } from './der.ts';

/** Longest serial accepted (RFC 5280 caps conforming serials at 20 octets; some CAs overshoot). */
export const MAX_SERIAL = 32;
/** Largest length len() hands back packed: far above any entry (MAX_ELEMENT), and small enough for `>> 3`. */
const MAX_PACKED = 1 << 24;

/**
 * The DER length at buf[i] (the byte after a tag) of an element that must end by `lim`, packed as
 * `length * 8 + octets of the length field`. The short form (one octet below 0x80: every field of a usual
 * entry) is read here with plain comparisons; any other form goes to the one DER length decoder. Small,
 * so that V8 inlines it at each call site of the entry loop.
 */
function len(buf: Buffer, i: number, lim: number): number {
  const b = buf[i];
  return b !== undefined && b < 0x80 && i < lim ? b * 8 + 1 : longLen(buf, i, lim);
}

function longLen(buf: Buffer, i: number, lim: number): number {
  const l = decodeLength(buf, i, lim, CRL_DER.rules, 'revoked entry');
  if (l === NEED_MORE) throw lengthError('truncated length in a revoked entry');
  if (l > 8 * MAX_PACKED) throw lengthError('length in a revoked entry exceeds the entry size limit');
  return l;
}

function validReason(r: number): boolean {
  return r >= 0 && r <= 10 && r !== 7;
}

export function parseEntries(
  inp: ChunkedInput,
  seqEnd: number,
  version: 1 | 2,
  onEntry: CrlEntryHandler | undefined,
  maxEntry: number,
  progress: (count: number) => void,
): number {
  let count = 0;
  for (;;) {
    const remaining = seqEnd - inp.offset;
    if (remaining === 0) break;
    if (!inp.ensure(Math.min(remaining, maxEntry + 1))) throw lengthError('CRL is truncated inside revokedCertificates');
    const buf = inp.buf;
    const seqEndRel = seqEnd - inp.base;
    const hardEnd = Math.min(inp.end, seqEndRel);
    const stop = hardEnd === seqEndRel ? hardEnd : inp.end - maxEntry;
    let p = inp.pos;
    while (p < stop) {
      if (buf[p] !== 0x30) throw malformed('revoked entry is not a SEQUENCE', { entry: count });
      const el = len(buf, p + 1, hardEnd);
      const q = p + 1 + (el & 7);
      const e = q + (el >> 3);
      if (e - p > maxEntry) throw lengthError('revoked entry is too long', { entry: count });
      if (e > hardEnd) throw lengthError('revoked entry runs past revokedCertificates', { entry: count });
      // userCertificate
      if (buf[q] !== 0x02) throw malformed('entry serial is not an INTEGER', { entry: count });
      const sh = len(buf, q + 1, e);
      const sl = sh >> 3;
      const ss = q + 1 + (sh & 7);
      const se = ss + sl;
      if (sl === 0 || sl > MAX_SERIAL || se > e) throw lengthError('entry serial length out of bounds', { entry: count });
      if (sl > 1) {
        const b0 = buf[ss];
        const b1 = buf[ss + 1];
        if (b0 === undefined || b1 === undefined) throw lengthError('entry serial runs past the data', { entry: count });
        if ((b0 === 0 && b1 < 0x80) || (b0 === 0xff && b1 >= 0x80)) throw malformed('entry serial is not minimal DER', { entry: count });
      }
      // revocationDate
      const tt = buf[se];
      const tl = buf[se + 1];
      if (se + 2 > e || tt === undefined || tl === undefined) throw lengthError('entry revocationDate missing', { entry: count });
      const te = se + 2 + tl;
      if (te > e) throw lengthError('entry revocationDate runs past the entry', { entry: count });
      const revokedAt = decodeTime(buf, tt, se + 2, tl);
      if (Number.isNaN(revokedAt)) throw malformed('entry revocationDate is not a valid time', { entry: count });
      let reason = -1;
      let invalidity = NaN;
      if (te < e) {
        if (version !== 2) throw new KioskError(ErrorCodes.CRL_VERSION, 'v1 CRL entry carries extensions', { entry: count });
        if (buf[te] !== 0x30) throw malformed('entry extensions are not a SEQUENCE', { entry: count });
        const xh = len(buf, te + 1, e);
        const xl = xh >> 3;
        let x = te + 1 + (xh & 7);
        if (x + xl !== e) throw lengthError('entry extensions do not end with the entry', { entry: count });
        if (xl === 0) throw malformed('empty entry extensions', { entry: count });
        while (x < e) {
          if (buf[x] !== 0x30) throw malformed('entry extension is not a SEQUENCE', { entry: count });
          const h1 = len(buf, x + 1, e);
          const xs = x + 1 + (h1 & 7);
          const xe = xs + (h1 >> 3);
          if (xe > e) throw lengthError('entry extension runs past the entry', { entry: count });
          if (buf[xs] !== 0x06) throw malformed('entry extension id is not an OID', { entry: count });
          const oh = len(buf, xs + 1, xe);
          const ol = oh >> 3;
          const os = xs + 1 + (oh & 7);
          let v = os + ol;
          if (ol === 0 || v > xe) throw lengthError('entry extension OID length out of bounds', { entry: count });
          let critical = false;
          if (buf[v] === 0x01) {
            if (v + 3 > xe || buf[v + 1] !== 1) throw malformed('entry extension critical flag malformed', { entry: count });
            critical = buf[v + 2] !== 0;
            v += 3;
          }
          if (buf[v] !== 0x04) throw malformed('entry extension value is not an OCTET STRING', { entry: count });
          const vh = len(buf, v + 1, xe);
          const vl = vh >> 3;
          const vs = v + 1 + (vh & 7);
          if (vs + vl !== xe) throw lengthError('entry extension value does not end with the extension', { entry: count });
          const known = ol === 3 && buf[os] === 0x55 && buf[os + 1] === 0x1d ? buf[os + 2] : -1;
          if (known === 0x15) {
            // reasonCode: ENUMERATED
            if (reason !== -1) throw malformed('duplicate reasonCode', { entry: count });
            const code = buf[vs + 2];
            if (vl !== 3 || buf[vs] !== 0x0a || buf[vs + 1] !== 1 || code === undefined || !validReason(code)) {
              throw malformed('invalid reasonCode', { entry: count });
            }
            reason = code;
          } else if (known === 0x18) {
            // invalidityDate: GeneralizedTime
            if (!Number.isNaN(invalidity)) throw malformed('duplicate invalidityDate', { entry: count });
            if (vl !== 17 || buf[vs] !== 0x18 || buf[vs + 1] !== 15) throw malformed('invalid invalidityDate', { entry: count });
            invalidity = decodeTime(buf, 0x18, vs + 2, 15);
            if (Number.isNaN(invalidity)) throw malformed('invalid invalidityDate', { entry: count });
          } else if (known === 0x1d) {
            // certificateIssuer (RFC 5280 §5.3.3): this entry and the ones after it belong to another CA, which
            // only an indirect CRL may list. The store keeps direct CRLs, one per CA, so such a CRL is refused
            // rather than its entries filed under the wrong issuer (pyca refuses a malformed one outright).
            throw new KioskError(ErrorCodes.CRL_SCOPE, 'CRL entry names another certificate issuer (indirect CRL)', { entry: count });
          } else if (critical) {
            throw new KioskError(ErrorCodes.CRL_CRITICAL_EXTENSION, 'unsupported critical CRL entry extension', {
              entry: count,
              oid: buf.subarray(os, os + ol).toString('hex'),
            });
          }
          x = xe;
        }
      }
      if (onEntry) onEntry(buf, ss, se, revokedAt, reason, invalidity);
      count++;
      p = e;
    }
    inp.pos = p;
    progress(count);
  }
  return count;
}
