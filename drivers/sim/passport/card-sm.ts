// Chip side of ICAO secure messaging: unwraps protected commands (checks DO8E over SSC ‖ header ‖ DOs,
// decrypts DO87/DO85, takes Le from DO97) and wraps responses (DO87/DO85, DO99, DO8E). Written apart
// from the host's daemon/documents/passport/access/secure-messaging.ts (only the block primitives are shared)
// so that a framing bug on either side shows up as a MAC failure in the tests.
import { timingSafeEqual } from 'node:crypto';
import { aesCbc, aesCmac, aesEcb, des3Cbc, padIso, retailMac, unpadIso } from '../../../core/crypto/icao-primitives.ts';
import { readAll, tlv } from '../iso7816/ber-tlv.ts';

export type CardCipher = '3DES' | 'AES-128';

export class CardSm {
  readonly ssc: Buffer;
  readonly block: number;

  constructor(
    readonly cipher: CardCipher,
    private readonly kEnc: Buffer,
    private readonly kMac: Buffer,
    ssc?: Buffer,
  ) {
    this.block = cipher === '3DES' ? 8 : 16;
    this.ssc = ssc ? Buffer.from(ssc) : Buffer.alloc(this.block);
  }

  private bump(): void {
    for (let i = this.ssc.length - 1; i >= 0; i--) {
      const v = (this.ssc.readUInt8(i) + 1) & 0xff;
      this.ssc[i] = v;
      if (v !== 0) break;
    }
  }

  private mac(data: Buffer): Buffer {
    const p = padIso(Buffer.concat([this.ssc, data]), this.block);
    return this.cipher === '3DES' ? retailMac(this.kMac, p) : aesCmac(this.kMac, p).subarray(0, 8);
  }

  private cbc(data: Buffer, encrypt: boolean): Buffer {
    if (this.cipher === '3DES') return des3Cbc(this.kEnc, Buffer.alloc(8), data, encrypt);
    return aesCbc(this.kEnc, aesEcb(this.kEnc, this.ssc), data, encrypt);
  }

  /**
   * Unwrap a protected command APDU (already split into header and data field). Returns the plain APDU
   * bytes, or null when the MAC, the objects or the padding are wrong (the chip then ends the session).
   */
  unwrap(header: Buffer, body: Buffer, extended: boolean): Buffer | null {
    this.bump();
    let dos: ReturnType<typeof readAll>;
    try {
      dos = readAll(body);
    } catch {
      return null;
    }
    const macAt = dos.findIndex((d) => d.tag === 0x8e);
    const macDo = dos[macAt];
    if (macDo === undefined || macAt !== dos.length - 1) return null;
    const covered = Buffer.concat(dos.slice(0, macAt).map((d) => d.raw));
    const expect = this.mac(Buffer.concat([padIso(header, this.block), covered]));
    const got = macDo.value;
    if (got.length !== 8 || !timingSafeEqual(got, expect)) return null;
    let data: Buffer = Buffer.alloc(0);
    let le: Buffer | null = null;
    for (const d of dos.slice(0, macAt)) {
      if (d.tag === 0x87 || d.tag === 0x85) {
        const enc = d.tag === 0x87 ? d.value.subarray(1) : d.value;
        if (d.tag === 0x87 && d.value[0] !== 0x01) return null;
        if (enc.length === 0 || enc.length % this.block !== 0) return null;
        const plain = unpadIso(this.cbc(enc, false), this.block);
        if (!plain) return null;
        data = plain;
      } else if (d.tag === 0x97) {
        if (d.value.length < 1 || d.value.length > 2) return null;
        le = d.value;
      } else return null;
    }
    const plainCla = header.readUInt8(0) & ~0x0c;
    const ext = extended || data.length > 255 || (le !== null && le.length === 2);
    const parts: Buffer[] = [Buffer.from([plainCla, header.readUInt8(1), header.readUInt8(2), header.readUInt8(3)])];
    if (!ext) {
      if (data.length) parts.push(Buffer.from([data.length]), data);
      if (le) parts.push(Buffer.from([le.readUInt8(le.length - 1)]));
    } else {
      if (data.length) parts.push(Buffer.from([0, data.length >> 8, data.length & 0xff]), data);
      if (le) {
        const v = le.length === 2 ? le.readUInt16BE(0) : le.readUInt8(0);
        parts.push(data.length ? Buffer.from([v >> 8, v & 0xff]) : Buffer.from([0, v >> 8, v & 0xff]));
      }
    }
    return Buffer.concat(parts);
  }

  /** Wrap a plain response (data, SW) for the command with INS `ins`. */
  wrap(ins: number, data: Buffer, sw: number): Buffer {
    this.bump();
    const parts: Buffer[] = [];
    if (data.length > 0) {
      const enc = this.cbc(padIso(data, this.block), true);
      parts.push(ins & 1 ? tlv(0x85, enc) : tlv(0x87, Buffer.from([0x01]), enc));
    }
    parts.push(tlv(0x99, Buffer.from([sw >> 8, sw & 0xff])));
    const covered = Buffer.concat(parts);
    return Buffer.concat([covered, tlv(0x8e, this.mac(covered))]);
  }
}
