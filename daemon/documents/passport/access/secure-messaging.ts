// ICAO 9303-11 §9.8 secure messaging, host side (docs/reference/passport.md §5): protects command APDUs (DO85/87, DO97,
// DO8E) and checks responses (DO85/87, DO99, DO8E) with 3DES + retail MAC (8-byte SSC, zero IV) or
// AES + CMAC (16-byte SSC, IV = AES(KSenc, SSC)). The SSC is incremented before protecting each command
// and again before checking each response. Verification fails closed: a response without DO99 or DO8E,
// with a wrong MAC or bad padding is an error (the session is unusable afterwards, as on the chip).
import { at } from '../../../../core/checked.ts';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CommandApdu, ResponseApdu } from '../../../../drivers/reader/apdu.ts';
import type { CardSession } from '../../../../drivers/reader/card-session.ts';
import { AesCmac } from '../../../../core/crypto/aes-cmac.ts';
import { CbcContext } from '../../../../core/crypto/cbc-context.ts';
import { padIso, unpadIso } from '../../../../core/crypto/icao-primitives.ts';
import { RetailMac } from '../../../../core/crypto/retail-mac.ts';
import { ErrorCodes, isKioskError, KioskError } from '../../../../core/errors.ts';
import { readAll, tlv } from '../../../encoding/ber-tlv.ts';

export type SmCipher = '3DES' | 'AES-128' | 'AES-192' | 'AES-256';

const KEY_BYTES: Record<SmCipher, number> = { '3DES': 16, 'AES-128': 16, 'AES-192': 24, 'AES-256': 32 };

/** ICAO KDF (9303-11 §9.7.1): SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256; c = 1 enc, 2 MAC, 3 PACE password. */
export function kdf(secret: Buffer, counter: number, cipher: SmCipher): Buffer {
  const c = Buffer.alloc(4);
  c.writeUInt32BE(counter);
  const big = cipher === 'AES-192' || cipher === 'AES-256';
  const d = createHash(big ? 'sha256' : 'sha1')
    .update(secret)
    .update(c)
    .digest();
  return d.subarray(0, KEY_BYTES[cipher]);
}

export interface SmKeys {
  cipher: SmCipher;
  kEnc: Buffer;
  kMac: Buffer;
}

const smError = (msg: string, detail: Record<string, string> = {}) => new KioskError(ErrorCodes.CARD_SM_FAILED, `secure messaging: ${msg}`, detail);

/**
 * Cipher-dependent pieces shared by the host and (independently re-used by) tests. One instance per SM
 * session: its cipher contexts (core/crypto/cbc-context.ts) and MAC subkeys are created once, with the
 * keys, instead of once per message.
 */
export class SmCrypto {
  readonly block: number;
  private readonly enc: CbcContext;
  private readonly macKey: { mac(input: Buffer): Buffer };

  constructor(readonly keys: SmKeys) {
    this.block = keys.cipher === '3DES' ? 8 : 16;
    if (keys.cipher === '3DES') {
      this.enc = new CbcContext(keys.kEnc.length === 16 ? 'des-ede-cbc' : 'des-ede3-cbc', keys.kEnc, 8);
      const retail = new RetailMac(keys.kMac);
      this.macKey = { mac: (input) => retail.mac(input, { prePadded: true }) };
    } else {
      this.enc = new CbcContext(`aes-${keys.kEnc.length * 8}-cbc`, keys.kEnc, 16);
      const cmac = new AesCmac(keys.kMac);
      this.macKey = { mac: (input) => cmac.mac(input, 8) };
    }
  }
  /** 3DES: zero; AES: AES(KSenc, SSC) (the ECB encryption of one block is CBC under a zero IV). */
  iv(ssc: Buffer): Buffer {
    return this.keys.cipher === '3DES' ? Buffer.alloc(8) : this.enc.encrypt(ssc);
  }
  encrypt(ssc: Buffer, plain: Buffer): Buffer {
    return this.enc.encrypt(padIso(plain, this.block), this.iv(ssc));
  }
  decrypt(ssc: Buffer, cipher: Buffer): Buffer | null {
    if (cipher.length === 0 || cipher.length % this.block !== 0) return null;
    return unpadIso(this.enc.decrypt(cipher, this.iv(ssc)), this.block);
  }
  /** 8-byte MAC over pad(input). */
  mac(input: Buffer): Buffer {
    return this.macKey.mac(padIso(input, this.block));
  }
}

export function incrementSsc(ssc: Buffer): void {
  for (let i = ssc.length - 1; i >= 0; i--) {
    ssc[i] = (at(ssc, i) + 1) & 0xff;
    if (ssc[i] !== 0) break;
  }
}

export class SecureMessaging {
  readonly crypto: SmCrypto;
  readonly ssc: Buffer;

  constructor(keys: SmKeys, ssc?: Buffer) {
    this.crypto = new SmCrypto(keys);
    this.ssc = ssc ? Buffer.from(ssc) : Buffer.alloc(this.crypto.block);
    if (this.ssc.length !== this.crypto.block) throw new RangeError(`SSC must be ${this.crypto.block} bytes`);
  }

  get cipher(): SmCipher {
    return this.crypto.keys.cipher;
  }

  /** Protect one command (increments the SSC first). */
  protect(cmd: CommandApdu): CommandApdu {
    incrementSsc(this.ssc);
    const cla = (cmd.cla & 0xf0) | 0x0c;
    const header = padIso(Buffer.from([cla, cmd.ins, cmd.p1, cmd.p2]), this.crypto.block);
    const parts: Buffer[] = [];
    if (cmd.data && cmd.data.length > 0) {
      const enc = this.crypto.encrypt(this.ssc, cmd.data);
      // Odd INS (e.g. B1) carries BER-TLV data: DO85 without the padding-content indicator.
      parts.push(cmd.ins & 1 ? tlv(0x85, enc) : tlv(0x87, Buffer.from([0x01]), enc));
    }
    if (cmd.le !== undefined) {
      const le = cmd.le;
      parts.push(le <= 256 ? tlv(0x97, Buffer.from([le & 0xff])) : tlv(0x97, Buffer.from([(le >> 8) & 0xff, le & 0xff])));
    }
    const body = Buffer.concat(parts);
    const mac = this.crypto.mac(Buffer.concat([this.ssc, header, body]));
    const data = Buffer.concat([body, tlv(0x8e, mac)]);
    // Extended only when the plain command needs it: Le 256 stays short (`97 01 00` … `00`, docs/reference/passport.md §11.4).
    const extended = data.length > 255 || (cmd.le ?? 0) > 256;
    return { cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data, le: extended ? 65536 : 256, sensitive: cmd.sensitive };
  }

  /** Check and decrypt one response (increments the SSC first). Throws CARD_SM_FAILED on any defect. */
  unprotect(res: ResponseApdu): ResponseApdu {
    incrementSsc(this.ssc);
    if (res.data.length === 0) {
      // The chip answered in plain: it has dropped the SM session (6987/6988) or refused outright.
      throw smError(`plain status ${res.sw.toString(16).toUpperCase()} without SM objects`, { sw: res.sw.toString(16).toUpperCase().padStart(4, '0') });
    }
    let dos: ReturnType<typeof readAll>;
    try {
      dos = readAll(res.data);
    } catch {
      throw smError('response data objects unparsable');
    }
    const macIndex = dos.findIndex((d) => d.tag === 0x8e);
    if (macIndex < 0) throw smError('DO8E (MAC) missing');
    // Everything the answer carries must be under the MAC: DO8E last, DO99 (and DO87/85) before it.
    if (macIndex !== dos.length - 1) throw smError('data objects after DO8E');
    const do99 = dos.slice(0, macIndex).find((d) => d.tag === 0x99);
    if (do99?.value.length !== 2) throw smError('DO99 (status) missing');
    if (dos.slice(0, macIndex).some((d) => d.tag !== 0x99 && d.tag !== 0x87 && d.tag !== 0x85)) throw smError('unexpected data object in the response');
    const covered = Buffer.concat(dos.slice(0, macIndex).map((d) => d.raw));
    const mac = at(dos, macIndex).value;
    const expect = this.crypto.mac(Buffer.concat([this.ssc, covered]));
    if (mac.length !== 8 || !timingSafeEqual(mac, expect)) throw smError('response MAC does not verify');
    const enc = dos.find((d) => d.tag === 0x87 || d.tag === 0x85);
    let data: Buffer = Buffer.alloc(0);
    if (enc) {
      const isPi = enc.tag === 0x87;
      if (isPi && enc.value[0] !== 0x01) throw smError('DO87 padding-content indicator is not 01');
      const plain = this.crypto.decrypt(this.ssc, isPi ? enc.value.subarray(1) : enc.value);
      if (!plain) throw smError('response padding malformed');
      data = plain;
    }
    return { data, sw: do99.value.readUInt16BE(0) };
  }
}

/**
 * A CardSession-like sender over SM: `send` protects, transmits through the plain session (which still
 * handles 61xx at transport level) and checks the answer.
 */
export class SecureChannel {
  constructor(
    readonly session: CardSession,
    public sm: SecureMessaging,
  ) {}

  async send(cmd: CommandApdu): Promise<ResponseApdu> {
    const wrapped = this.sm.protect(cmd);
    const res = await this.session.send(wrapped, (wrapped.le ?? 0) > 256);
    return this.sm.unprotect(res);
  }

  /**
   * `send` for a command the reader or the chip's APDU parser may refuse before secure messaging sees it
   * (an extended-length APDU not yet known to work): a transport failure or a plain answer returns null
   * and leaves the SSC as it was, since the chip never counted the command. A chip that did drop the
   * session then fails the next command's MAC check (fail closed).
   */
  async trySend(cmd: CommandApdu): Promise<ResponseApdu | null> {
    const before = Buffer.from(this.sm.ssc);
    const wrapped = this.sm.protect(cmd);
    let res: ResponseApdu;
    try {
      res = await this.session.send(wrapped, (wrapped.le ?? 0) > 256);
    } catch (e) {
      if (!isKioskError(e, ErrorCodes.READER_TRANSMIT_FAILED)) throw e;
      before.copy(this.sm.ssc);
      return null;
    }
    if (res.data.length === 0 && res.sw !== 0x9000) {
      before.copy(this.sm.ssc);
      return null;
    }
    return this.sm.unprotect(res);
  }
}
