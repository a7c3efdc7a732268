// Streaming generator for large signed CRLs (benchmark, kill -9 test). Entry sizes are fixed in advance
// (16-byte serials, reason code on 3 of 4 entries), so all DER lengths are known before the first byte is
// written: one pass, 1 MiB buffers, the TBS signed with a streaming createSign.
import { closeSync, openSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { algorithmIdentifier, bitString, ctx, encodeLength, extension, int, seq, streamSigner, time, tlv, type Signer } from '../../core/der-build.ts';

export interface GenerateOptions {
  out: string;
  entries: number;
  issuer: Buffer;
  signer: Signer;
  thisUpdate: Date;
  nextUpdate: Date;
  crlNumber: bigint | number;
  /** Called with each entry's serial (16 bytes) when the caller wants to remember some. */
  onSerial?: (index: number, serial: Buffer) => void;
}

const SERIAL_LEN = 16;
const PLAIN = 2 + (2 + SERIAL_LEN) + 15; // SEQ hdr + INTEGER + UTCTime
const WITH_REASON = PLAIN + 14; // + SEQ{ SEQ{ OID reasonCode, OCTET STRING { ENUMERATED } } }
const hasReason = (i: number) => i % 4 !== 0;

export function generateCrl(o: GenerateOptions): { bytes: number } {
  const n = o.entries;
  const withReason = n - Math.ceil(n / 4);
  const entriesLen = withReason * WITH_REASON + (n - withReason) * PLAIN;
  const alg = algorithmIdentifier(o.signer);
  const exts = ctx(0, seq(extension('551d14', int(o.crlNumber))));
  const head = Buffer.concat([int(1), alg, o.issuer, time(o.thisUpdate), time(o.nextUpdate)]);
  const entriesHdr = n > 0 ? Buffer.concat([Buffer.from([0x30]), encodeLength(entriesLen)]) : Buffer.alloc(0);
  const tbsLen = head.length + entriesHdr.length + (n > 0 ? entriesLen : 0) + exts.length;
  const tbsHdr = Buffer.concat([Buffer.from([0x30]), encodeLength(tbsLen)]);
  const key = o.signer.key;
  if (key.asymmetricKeyType !== 'rsa' || o.signer.pss) throw new Error('generator supports RSA PKCS#1 v1.5 only');
  const modBytes = (key.asymmetricKeyDetails!.modulusLength! + 7) >> 3;
  const sigLen = 1 + encodeLength(modBytes + 1).length + modBytes + 1;
  const total = tbsHdr.length + tbsLen + alg.length + sigLen;
  const outerHdr = Buffer.concat([Buffer.from([0x30]), encodeLength(total)]);

  const fd = openSync(o.out, 'w');
  const signer = streamSigner(o.signer);
  const emit = (b: Buffer, tbs = true) => {
    writeSync(fd, b);
    if (tbs) signer.update(b);
  };
  try {
    writeSync(fd, outerHdr);
    emit(tbsHdr);
    emit(head);
    emit(entriesHdr);
    // a few distinct revocation dates, pre-encoded
    const dates: Buffer[] = [];
    for (let d = 0; d < 64; d++) dates.push(time(new Date(o.thisUpdate.getTime() - (d + 1) * 86_400_000 - d * 7_000)));
    const reasonTail = Buffer.from('300c300a0603551d1504030a01', 'hex');
    const reasons = [1, 3, 4, 5, 9, 0];
    const buf = Buffer.allocUnsafe(1 << 20);
    const rnd = Buffer.allocUnsafe(SERIAL_LEN * 4096);
    let rp = rnd.length;
    let p = 0;
    for (let i = 0; i < n; i++) {
      if (p + WITH_REASON > buf.length) {
        emit(buf.subarray(0, p));
        p = 0;
      }
      if (rp === rnd.length) {
        randomFillSync(rnd);
        rp = 0;
      }
      const r = hasReason(i);
      buf[p++] = 0x30;
      buf[p++] = (r ? WITH_REASON : PLAIN) - 2;
      buf[p++] = 0x02;
      buf[p++] = SERIAL_LEN;
      const s = p;
      rnd.copy(buf, p, rp, rp + SERIAL_LEN);
      rp += SERIAL_LEN;
      buf[s] = (buf[s]! & 0x7f) | 0x01; // positive, minimal
      p += SERIAL_LEN;
      o.onSerial?.(i, buf.subarray(s, p));
      dates[i & 63]!.copy(buf, p);
      p += 15;
      if (r) {
        reasonTail.copy(buf, p);
        p += reasonTail.length;
        buf[p++] = reasons[i % reasons.length]!;
      }
    }
    emit(buf.subarray(0, p));
    emit(exts);
    const sig = signer.sign();
    if (sig.length !== modBytes) throw new Error('unexpected signature length');
    emit(alg, false);
    emit(bitString(sig), false);
  } finally {
    closeSync(fd);
  }
  void tlv;
  return { bytes: outerHdr.length + total };
}
