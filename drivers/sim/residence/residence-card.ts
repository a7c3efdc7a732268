// Virtual 在留カード / 特別永住者証明書 on the card OS: MF with the card type, DF1 (secure messaging only),
// DF2 and DF3 (plain after the card-number access control), and the card side of the protocol
// (docs/reference/residence.md): GET CHALLENGE, MUTUAL AUTHENTICATE (checks M.IFD with the key derived from its own
// card number — a wrong number fails here with 63 00), the encrypted VERIFY, and SM READ BINARY, whole
// file (extended) or in chunks by offset. Both generations; the cipher suite follows the generation.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { padIso9797M2 } from '../../../core/crypto/index.ts';
import { accessKey, cardCipher, sessionEncKey, type CardCipher } from './card-crypto.ts';
import { CARD_AID } from './card-layout.ts';
import { readTlv, tlv } from '../iso7816/ber-tlv.ts';
import {
  addDf,
  addEf,
  afterVerify,
  ALWAYS,
  createMf,
  Iso7816Card,
  NEVER,
  PinObject,
  SW,
  type CardResponse,
  type CommandApdu,
  type DedicatedFile,
  type TransparentEf,
  type TransportQuirks,
} from '../iso7816/index.ts';
import { efBySfi } from '../iso7816/files.ts';
import type { CardFiles } from './card-files.ts';
import { xorAt } from '../../../core/checked.ts';

/** ATR of an ISO 14443 Type B card as a PC/SC reader reports it (generic; no public residence-card ATR is relied upon). */
export const RESIDENCE_ATR = Buffer.from('3B8880010000000000718100F9', 'hex');

const SW_AUTH_FAILED = 0x6300;
const SW_SM_NOT_SUPPORTED = 0x6882;
const SW_SM_INCORRECT = 0x6988;

export interface ResidenceFaults {
  /** MUTUAL AUTHENTICATE answers with a corrupted M.ICC. */
  corruptMac?: boolean;
  /** SM READ BINARY answers with one ciphertext bit flipped (the padding check or the data then fails). */
  corruptSmData?: boolean;
}

export interface ResidenceCardOptions {
  generation: 1 | 2;
  cardNumber: string;
  files: CardFiles;
  quirks?: TransportQuirks;
  faults?: ResidenceFaults;
  /** Official-example mode: fixed RND.ICC and K.ICC (the ISA Appendix 2 worked example). Random otherwise. */
  fixedChallenge?: Buffer;
  fixedKIcc?: Buffer;
  logLimit?: number;
}

export class ResidenceCard extends Iso7816Card {
  readonly generation: 1 | 2;
  readonly suite: CardCipher;
  faults: ResidenceFaults;
  /** Counts for tests: authentications tried, card-number VERIFYs, SM reads. */
  readonly counts = { getChallenge: 0, mutualAuth: 0, mutualAuthFailed: 0, verify: 0, verifyFailed: 0, smRead: 0 };
  readonly #k: Buffer;
  readonly #cardNumber: Buffer;
  readonly #marker = new PinObject({ value: randomBytes(8), maxTries: 15 });
  readonly #smFiles = new Set<TransparentEf>();
  readonly #o: ResidenceCardOptions;
  #challenge: Buffer | null = null;
  #ks: Buffer | null = null;

  constructor(o: ResidenceCardOptions) {
    const mf = createMf();
    super({ atr: RESIDENCE_ATR, mf, quirks: o.quirks, logLimit: o.logLimit });
    this.#o = o;
    this.generation = o.generation;
    this.suite = cardCipher(o.generation);
    this.faults = { ...o.faults };
    this.#cardNumber = Buffer.from(o.cardNumber, 'latin1');
    this.#k = accessKey(this.#cardNumber);
    const afterNumber = afterVerify(this.#marker);
    const add = (df: DedicatedFile, files: Map<number, Buffer>, read: typeof ALWAYS) => {
      for (const [sfi, data] of files) addEf(df, { kind: 'transparent', fid: 0x0000 | sfi, sfi, data: Buffer.from(data), read });
    };
    add(mf, o.files.mf, ALWAYS);
    const df1 = addDf(mf, { label: 'DF1', aid: CARD_AID.DF1 });
    add(df1, o.files.df1, NEVER); // plain READ BINARY → 6982: DF1 is SM only
    for (const c of df1.children) if (c.kind === 'transparent') this.#smFiles.add(c);
    add(addDf(mf, { label: 'DF2', aid: CARD_AID.DF2 }), o.files.df2, afterNumber);
    add(addDf(mf, { label: 'DF3', aid: CARD_AID.DF3 }), o.files.df3, afterNumber);
    this.register(0x00, 0x84, (c) => this.getChallenge(c));
    this.register(0x00, 0x82, (c) => this.mutualAuthenticate(c));
    this.register(0x08, 0x20, (c) => this.smVerify(c));
    this.register(0x08, 0xb0, (c) => this.smReadBinary(c));
  }

  /** True once the card number was verified in this power cycle. */
  get numberVerified(): boolean {
    return this.isVerified(this.#marker);
  }

  override reset(): void {
    super.reset();
    this.#challenge = null;
    this.#ks?.fill(0);
    this.#ks = null;
  }

  override process(apdu: Buffer): Buffer {
    // RND.ICC is good for the MUTUAL AUTHENTICATE that immediately follows GET CHALLENGE, nothing else.
    // GET RESPONSE (T=0 transport) fetches the challenge itself and keeps it valid.
    const ins = apdu[1];
    if (apdu[0] === 0x00 && ins === 0xc0) return super.process(apdu);
    const challenge = this.#challenge;
    this.#challenge = null;
    if (ins === 0x82 && apdu[0] === 0x00) this.#pendingForAuth = challenge;
    try {
      return super.process(apdu);
    } finally {
      this.#pendingForAuth = null;
    }
  }
  #pendingForAuth: Buffer | null = null;

  protected getChallenge(cmd: CommandApdu): CardResponse {
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.WRONG_P1P2 };
    if (cmd.ne !== 8 || cmd.data.length > 0) return { sw: SW.WRONG_LENGTH };
    this.counts.getChallenge++;
    const rnd = this.#o.fixedChallenge ? Buffer.from(this.#o.fixedChallenge) : randomBytes(8);
    this.#challenge = rnd;
    return { sw: SW.OK, data: Buffer.from(rnd), fixedLength: true };
  }

  protected mutualAuthenticate(cmd: CommandApdu): CardResponse {
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.WRONG_P1P2 };
    if (cmd.data.length !== 40) return { sw: SW.WRONG_LENGTH };
    const rndIcc = this.#pendingForAuth;
    if (!rndIcc) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    if (this.quirks.wrongLe && cmd.ne !== null && cmd.ne !== 40) {
      // A T=0 card checks Le before acting: 6C28, and the challenge stays valid for the re-sent command.
      this.#challenge = rndIcc;
      return { sw: 0x6c28 };
    }
    this.counts.mutualAuth++;
    this.#dropSession();
    const e = cmd.data.subarray(0, 32);
    const m = cmd.data.subarray(32, 40);
    if (!timingSafeEqual(this.suite.mac(this.#k, e), m)) {
      this.counts.mutualAuthFailed++;
      return { sw: SW_AUTH_FAILED };
    }
    const s = this.suite.decrypt(this.#k, e);
    if (!s.subarray(8, 16).equals(rndIcc)) {
      this.counts.mutualAuthFailed++;
      return { sw: SW_AUTH_FAILED };
    }
    const rndIfd = s.subarray(0, 8);
    const kIfd = s.subarray(16, 32);
    const kIcc = this.#o.fixedKIcc ? Buffer.from(this.#o.fixedKIcc) : randomBytes(16);
    const eIcc = this.suite.encrypt(this.#k, Buffer.concat([rndIcc, rndIfd, kIcc]));
    const mIcc = this.suite.mac(this.#k, eIcc);
    if (this.faults.corruptMac) xorAt(mIcc, 0, 0x80);
    this.#ks = sessionEncKey(kIfd, kIcc);
    s.fill(0);
    kIcc.fill(0);
    return { sw: SW.OK, data: Buffer.concat([eIcc, mIcc]), fixedLength: true };
  }

  #dropSession(): void {
    this.#ks?.fill(0);
    this.#ks = null;
    this.verified.delete(this.#marker);
  }

  protected smVerify(cmd: CommandApdu): CardResponse {
    if (cmd.p1 !== 0x00 || cmd.p2 !== 0x86) return { sw: SW.WRONG_P1P2 };
    if (!this.#ks) return { sw: SW.SECURITY_NOT_SATISFIED };
    if (cmd.ne !== null) return { sw: SW.WRONG_LENGTH };
    const d = soleDataObject(cmd.data);
    const crypt = d && d.tag === 0x86 && d.value.length === 17 && d.value[0] === 0x01 ? d.value.subarray(1) : null;
    if (!crypt) return { sw: SW_SM_INCORRECT };
    this.counts.verify++;
    const plain = this.suite.decrypt(this.#ks, crypt);
    const ok = timingSafeEqual(plain, padIso9797M2(this.#cardNumber, this.suite.block));
    plain.fill(0);
    if (!ok) {
      this.counts.verifyFailed++;
      this.#dropSession();
      return { sw: SW_AUTH_FAILED };
    }
    this.verified.set(this.#marker, this.mf);
    return { sw: SW.OK };
  }

  protected smReadBinary(cmd: CommandApdu): CardResponse {
    if (cmd.ne === null) return { sw: SW.WRONG_LENGTH };
    let ef: TransparentEf | undefined;
    let offset: number;
    if (cmd.p1 & 0x80) {
      if (cmd.p1 & 0x60) return { sw: SW.WRONG_P1P2 };
      ef = efBySfi(this.currentDf, cmd.p1 & 0x1f);
      if (!ef) return { sw: SW.FILE_NOT_FOUND };
      this.currentEf = ef;
      offset = cmd.p2;
    } else {
      const cur = this.currentEf;
      if (!cur) return { sw: SW.NO_CURRENT_EF };
      if (cur.kind !== 'transparent') return { sw: SW.INCOMPATIBLE_FILE_STRUCTURE };
      ef = cur;
      offset = (cmd.p1 << 8) | cmd.p2;
    }
    if (!this.#smFiles.has(ef)) return { sw: SW_SM_NOT_SUPPORTED };
    if (!this.#ks || !this.numberVerified) return { sw: SW.SECURITY_NOT_SATISFIED };
    const d = soleDataObject(cmd.data);
    const le = d && d.tag === 0x96 && d.value.length === 2 ? d.value.readUInt16BE(0) : null;
    if (le === null) return { sw: SW_SM_INCORRECT };
    if (offset >= ef.data.length) return { sw: SW.OFFSET_OUTSIDE_EF };
    const plain = ef.data.subarray(offset, le === 0 ? undefined : offset + le);
    const ct = this.suite.encrypt(this.#ks, padIso9797M2(plain, this.suite.block));
    if (this.faults.corruptSmData) xorAt(ct, ct.length - 1, 0x01);
    this.counts.smRead++;
    const body = tlv(0x86, Buffer.concat([Buffer.from([0x01]), ct]));
    if (body.length > cmd.ne) return { sw: SW.WRONG_LENGTH };
    return { sw: le !== 0 && plain.length < le ? SW.END_OF_FILE : SW.OK, data: body };
  }
}

/** The one data object that makes up `data` (the SM Le object 96 02 xx xx, the VERIFY cryptogram 86 11 01 …),
 *  or null when `data` is anything else. */
function soleDataObject(data: Buffer): { tag: number; value: Buffer } | null {
  try {
    const t = readTlv(data, 0);
    return t.raw.length === data.length ? { tag: t.tag, value: t.value } : null;
  } catch {
    return null;
  }
}
