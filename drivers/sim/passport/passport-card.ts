// Virtual eMRTD chip (ICAO 9303-10/11) on the card OS: EF.CardAccess in the MF (when PACE is on), the
// LDS1 application with EF.COM, DG1, DG2, DG11, DG12, DG14, DG15 and EF.SOD, readable only after BAC or
// PACE and only through secure messaging. Implements the chip side of BAC, PACE (ECDH-GM), SM with
// DO87/85, DO97, DO99, DO8E, chip authentication (v1 3DES via MSE:Set KAT, v2 AES via MSE:Set AT + GA;
// SSC reset, response under the old keys) and active authentication (ISO 9796-2 RSA). A plain command
// after SM was established ends the session, as on real chips. Faults for tests: see PassportFaults.
import { constants, createECDH, createHash, createPublicKey, privateEncrypt, randomBytes, sign, timingSafeEqual, type KeyObject } from 'node:crypto';
import { des3Cbc, padIso, retailMac } from '../../../core/crypto/icao-primitives.ts';
import { children, readAll, readTlv } from '../iso7816/ber-tlv.ts';
import { mrzKeyInformation } from './mrz-key.ts';
import {
  addDf,
  addEf,
  afterVerify,
  ALWAYS,
  createMf,
  Iso7816Card,
  parseCommandApdu,
  PinObject,
  rapdu,
  SW,
  type CardResponse,
  type CommandApdu,
  type TransportQuirks,
} from '../iso7816/index.ts';
import { CardSm, type CardCipher } from './card-sm.ts';
import { cardAccess, kdf, PacePicc, paceOid } from './card-pace.ts';
import { createCsca, generateKey, issueBy, type IssuedCert, type KeySpec } from './certs.ts';
import { dg1, dg11, dg12, dg14, dg15, dg2, efCom, efSod, syntheticFace, type Holder } from './lds.ts';
import { dataGroup, EMRTD_AID, ldsFile, mfFile } from './lds-files.ts';
import { at, defined, xorAt } from '../../../core/checked.ts';
import { ErrorCodes } from '../../../core/errors.ts';

/**
 * The private scalar of an EC key: PKCS#8 (RFC 5208) PrivateKeyInfo → privateKey OCTET STRING holding an
 * ECPrivateKey (RFC 5915) → its privateKey octets. (JWK export would be simpler, but node refuses it for
 * brainpool curves.)
 */
function privateScalar(key: KeyObject): Buffer {
  const info = children(readTlv(key.export({ format: 'der', type: 'pkcs8' })));
  return Buffer.from(at(children(readTlv(at(info, 2).value)), 1).value);
}

export { EMRTD_AID };
export const PASSPORT_ATR = Buffer.from('3B8880014A434F5033315632', 'hex');

export interface PassportFaults {
  /** Flip a byte inside this data group after the SOD was signed (hash mismatch). */
  tamperDg?: number;
  /** The SOD does not list this data group (DG injection). */
  unlistedDg?: number;
  /** INTERNAL AUTHENTICATE returns a corrupted signature. */
  aaFail?: boolean;
  /** Chip authentication derives different keys (a clone without the private key). */
  caFail?: boolean;
  /** PACE GENERAL AUTHENTICATE is refused (hosts must fall back to BAC). */
  paceBroken?: boolean;
  /** EF.COM does not name these data groups (EF.COM is unsigned: a clone edits it to hide DG14/DG15). */
  comOmit?: number[];
  /** These data groups are signed into the SOD but absent from the chip (SELECT answers 6A82), as on a clone. */
  withhold?: number[];
  /** EF.COM also names these data groups, which neither the chip nor the SOD has (a sloppy or edited EF.COM). */
  comAdd?: number[];
}

export interface PassportCardOptions {
  holder: Holder;
  /** PACE parameters (ECDH on a curve, or DH with standard parameterId 0–2); false = BAC-only chip (no EF.CardAccess). */
  pace?: false | { cipher: CardCipher; curve: 'brainpoolP256r1' | 'prime256v1' } | { cipher: CardCipher; dhParameterId: 0 | 1 | 2 };
  /** Active authentication key (DG15); false = no AA. */
  aa?: false | KeySpec;
  /** Chip authentication (DG14); false = no CA. */
  ca?: false | { cipher: CardCipher; curve: string };
  /** CSCA and DSC; generated when absent. */
  pki?: { csca: IssuedCert; dsc: IssuedCert };
  faceBytes?: number;
  faults?: PassportFaults;
  quirks?: TransportQuirks;
  /** The card's random source (RND.IC, K.IC); tests replay 9303-11 Appendix D with fixed values. */
  random?: (n: number) => Buffer;
}

const PACE_PARAM: Record<string, number> = { brainpoolP256r1: 13, prime256v1: 12 };

export class PassportCard extends Iso7816Card {
  readonly holder: Holder;
  readonly pki: { csca: IssuedCert; dsc: IssuedCert };
  readonly dataGroups = new Map<number, Buffer>();
  readonly faults: PassportFaults;
  readonly pacePicc: PacePicc | null;
  private readonly access = new PinObject({ value: 'access-control', maxTries: 15 });
  private readonly aaKey: { privateKey: KeyObject; spec: KeySpec } | null;
  private readonly caKey: { privateKey: KeyObject; curve: string; cipher: CardCipher } | null;
  private sm: CardSm | null = null;
  private pendingSm: CardSm | null = null;
  private rndIc: Buffer | null = null;
  private caSet = false;
  /** Counters for tests. */
  stats = { bac: 0, pace: 0, ca: 0, aa: 0, smErrors: 0 };
  private readonly random: (n: number) => Buffer;

  constructor(o: PassportCardOptions) {
    const mf = createMf();
    super({ atr: PASSPORT_ATR, mf, quirks: o.quirks, logLimit: 4000 });
    this.holder = o.holder;
    this.random = o.random ?? randomBytes;
    this.faults = { ...o.faults };
    this.pki =
      o.pki ??
      (() => {
        const csca = createCsca({ country: o.holder.issuingState === 'JPN' ? 'JP' : 'UT' });
        return { csca, dsc: issueBy(csca, { cn: 'TEST Document Signer' }) };
      })();
    const pace = o.pace === undefined ? { cipher: 'AES-128' as const, curve: 'brainpoolP256r1' as const } : o.pace;
    this.pacePicc = !pace
      ? null
      : 'dhParameterId' in pace
        ? new PacePicc({ oid: paceOid('DH', pace.cipher), parameterId: pace.dhParameterId, agreement: 'DH', cipher: pace.cipher }, () => this.mrzInfo())
        : new PacePicc(
            {
              oid: paceOid('ECDH', pace.cipher),
              parameterId: defined(PACE_PARAM[pace.curve], ErrorCodes.INTERNAL, `PACE parameter of ${pace.curve}`),
              agreement: 'ECDH',
              cipher: pace.cipher,
            },
            () => this.mrzInfo(),
          );
    if (this.pacePicc) {
      this.pacePicc.broken = this.faults.paceBroken === true;
      addEf(mf, { kind: 'transparent', ...mfFile('EF.CardAccess'), data: cardAccess(this.pacePicc.params), read: ALWAYS });
    }
    const aaSpec = o.aa === undefined ? ({ kind: 'rsa', bits: 1024 } as KeySpec) : o.aa;
    const caSpec = o.ca === undefined ? { cipher: 'AES-128' as CardCipher, curve: 'brainpoolP256r1' } : o.ca;
    this.aaKey = aaSpec ? { privateKey: generateKey(aaSpec).privateKey, spec: aaSpec } : null;
    this.caKey = caSpec ? { privateKey: generateKey({ kind: 'ec', curve: caSpec.curve }).privateKey, ...caSpec } : null;

    const h = o.holder;
    this.dataGroups.set(1, dg1(h));
    this.dataGroups.set(2, dg2(syntheticFace(o.faceBytes ?? 34_000)));
    this.dataGroups.set(11, dg11(`${h.surname}<<${h.givenNames}`, 'TOKYO'));
    this.dataGroups.set(12, dg12('MINISTRY OF FOREIGN AFFAIRS (TEST)', '20240401'));
    const ecAa = this.aaKey?.spec.kind === 'ec';
    if (this.caKey || ecAa) this.dataGroups.set(14, dg14(this.caKey ? this.pubOf(this.caKey.privateKey) : null, this.caKey?.cipher ?? 'AES-128', { ecAa }));
    if (this.aaKey) this.dataGroups.set(15, dg15(this.pubOf(this.aaKey.privateKey)));
    const sod = efSod(this.dataGroups, this.pki.dsc, { omit: this.faults.unlistedDg ? [this.faults.unlistedDg] : [] });
    if (this.faults.tamperDg) {
      const d = this.dataGroups.get(this.faults.tamperDg);
      if (d) xorAt(d, d.length - 1, 0x01);
    }
    const app = addDf(mf, { label: 'eMRTD', aid: EMRTD_AID });
    const rule = afterVerify(this.access);
    const onCom = [...this.dataGroups.keys(), ...(this.faults.comAdd ?? [])].filter((n) => !this.faults.comOmit?.includes(n));
    addEf(app, { kind: 'transparent', ...ldsFile('EF.COM'), data: efCom(onCom), read: rule });
    addEf(app, { kind: 'transparent', ...ldsFile('EF.SOD'), data: sod, read: rule });
    for (const [n, data] of this.dataGroups) {
      if (this.faults.withhold?.includes(n)) continue;
      addEf(app, { kind: 'transparent', ...dataGroup(n), data, read: rule });
    }

    this.register(0x00, 0x84, (c) => this.getChallenge(c));
    this.register(0x00, 0x82, (c) => this.externalAuthenticate(c));
    this.register(0x00, 0x22, (c) => this.manageSecurityEnvironment(c));
    this.registerChained(0x00, 0x86, (c) => this.generalAuthenticate(c), 'each');
    this.register(0x00, 0x88, (c) => this.internalAuthenticate(c));
  }

  private pubOf(k: KeyObject): KeyObject {
    return createPublicKey(k);
  }

  private mrzInfo(): Buffer {
    const h = this.holder;
    return mrzKeyInformation(h.documentNumber, h.dateOfBirth, h.dateOfExpiry);
  }

  get smActive(): boolean {
    return this.sm !== null;
  }

  override reset(): void {
    super.reset();
    this.sm = null;
    this.pendingSm = null;
    this.rndIc = null;
    this.caSet = false;
    this.pacePicc?.reset();
  }

  private endSession(): void {
    this.sm = null;
    this.pendingSm = null;
    this.caSet = false;
    this.verified.delete(this.access);
  }

  override process(apdu: Buffer): Buffer {
    if (apdu.length >= 4 && apdu[0] !== 0xff && (apdu.readUInt8(0) & 0x0c) === 0x0c) return this.processProtected(apdu);
    if (this.sm) this.endSession(); // a plain command aborts secure messaging
    const out = super.process(apdu);
    this.installPending();
    return out;
  }

  private installPending(): void {
    if (this.pendingSm) {
      this.sm = this.pendingSm;
      this.pendingSm = null;
    }
  }

  private processProtected(apdu: Buffer): Buffer {
    const parsed = parseCommandApdu(apdu);
    if (!parsed.ok) return rapdu(SW.WRONG_LENGTH);
    const sm = this.sm;
    if (!sm) return rapdu(0x6987);
    const plain = sm.unwrap(apdu.subarray(0, 4), parsed.apdu.data, parsed.apdu.extended);
    if (!plain) {
      this.stats.smErrors++;
      this.endSession();
      return rapdu(0x6988);
    }
    const inner = super.process(plain);
    let sw = inner.readUInt16BE(inner.length - 2);
    let data = inner.subarray(0, inner.length - 2);
    // The protected answer must fit the outer Ne (a short APDU: 256 bytes).
    const encLen = data.length ? (Math.floor(data.length / sm.block) + 1) * sm.block + 1 : 0;
    const wrappedLen = (encLen ? encLen + (encLen < 0x80 ? 2 : encLen < 0x100 ? 3 : 4) : 0) + 4 + 10;
    if (parsed.apdu.ne !== null && wrappedLen > parsed.apdu.ne) {
      sw = SW.WRONG_LENGTH;
      data = Buffer.alloc(0);
    }
    const wrapped = sm.wrap(apdu.readUInt8(1), data, sw);
    this.installPending();
    return rapdu(sw, wrapped);
  }

  // ---- BAC ----

  protected getChallenge(c: CommandApdu): CardResponse {
    if (c.p1 !== 0 || c.p2 !== 0 || c.data.length) return { sw: SW.WRONG_P1P2 };
    if (c.ne !== 8) return { sw: SW.WRONG_LENGTH };
    this.rndIc = this.random(8);
    return { sw: SW.OK, data: Buffer.from(this.rndIc), fixedLength: true };
  }

  protected externalAuthenticate(c: CommandApdu): CardResponse {
    const rndIc = this.rndIc;
    this.rndIc = null;
    if (!rndIc || this.sm) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    if (c.data.length !== 40) return { sw: SW.WRONG_LENGTH };
    const seed = createHash('sha1').update(this.mrzInfo()).digest().subarray(0, 16);
    const [kEnc, kMac] = [kdf(seed, 1), kdf(seed, 2)];
    const e = c.data.subarray(0, 32);
    if (!timingSafeEqual(retailMac(kMac, padIso(e, 8)), c.data.subarray(32))) return { sw: 0x6300 };
    const s = des3Cbc(kEnc, Buffer.alloc(8), e, false);
    if (!s.subarray(8, 16).equals(rndIc)) return { sw: 0x6300 };
    const rndIfd = s.subarray(0, 8);
    const kIc = this.random(16);
    const eIc = des3Cbc(kEnc, Buffer.alloc(8), Buffer.concat([rndIc, rndIfd, kIc]), true);
    const seedS = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) seedS[i] = s.readUInt8(16 + i) ^ kIc.readUInt8(i);
    this.pendingSm = new CardSm('3DES', kdf(seedS, 1), kdf(seedS, 2), Buffer.concat([rndIc.subarray(4), rndIfd.subarray(4)]));
    this.verified.set(this.access, this.mf);
    this.stats.bac++;
    return { sw: SW.OK, data: Buffer.concat([eIc, retailMac(kMac, padIso(eIc, 8))]), fixedLength: true };
  }

  // ---- MSE, GENERAL AUTHENTICATE (PACE, CA) ----

  protected manageSecurityEnvironment(c: CommandApdu): CardResponse {
    const p1p2 = (c.p1 << 8) | c.p2;
    if (p1p2 === 0xc1a4) {
      if (!this.pacePicc || this.sm) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
      return this.pacePicc.setAt(c.data);
    }
    if (!this.sm || !this.caKey) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    let dos: ReturnType<typeof readAll>;
    try {
      dos = readAll(c.data);
    } catch {
      return { sw: SW.WRONG_DATA };
    }
    if (p1p2 === 0x41a6 && this.caKey.cipher === '3DES') {
      const pk = dos.find((d) => d.tag === 0x91)?.value;
      return pk ? this.chipAuthenticate(pk) : { sw: SW.WRONG_DATA };
    }
    if (p1p2 === 0x41a4 && this.caKey.cipher === 'AES-128') {
      if (!dos.some((d) => d.tag === 0x80)) return { sw: SW.WRONG_DATA };
      this.caSet = true;
      return { sw: SW.OK };
    }
    return { sw: SW.WRONG_P1P2 };
  }

  protected generalAuthenticate(c: CommandApdu): CardResponse {
    if (this.caSet && !c.chained) {
      this.caSet = false;
      let pk: Buffer | undefined;
      try {
        const outer = readAll(c.data)[0];
        pk = outer?.tag === 0x7c ? readAll(outer.value).find((d) => d.tag === 0x80)?.value : undefined;
      } catch {
        return { sw: SW.WRONG_DATA };
      }
      if (!pk) return { sw: SW.WRONG_DATA };
      const r = this.chipAuthenticate(pk);
      return r.sw === SW.OK ? { sw: SW.OK, data: Buffer.from([0x7c, 0x00]) } : r;
    }
    if (!this.pacePicc || this.sm) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    return this.pacePicc.generalAuthenticate(c.data, c.chained === true, (o) => {
      this.pendingSm = new CardSm(o.cipher, o.kEnc, o.kMac);
      this.verified.set(this.access, this.mf);
      this.stats.pace++;
    });
  }

  /** ECDH with the static CA key; the answer still goes out under the old keys, then SSC restarts at 0. */
  private chipAuthenticate(hostPk: Buffer): CardResponse {
    const ca = this.caKey;
    if (!ca) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    const ecdh = createECDH(ca.curve);
    ecdh.setPrivateKey(privateScalar(ca.privateKey));
    let k: Buffer;
    try {
      k = ecdh.computeSecret(hostPk);
    } catch {
      return { sw: SW.WRONG_DATA };
    }
    if (this.faults.caFail) xorAt(k, 0, 0xff);
    this.pendingSm = new CardSm(ca.cipher, kdf(k, 1), kdf(k, 2));
    this.stats.ca++;
    return { sw: SW.OK };
  }

  // ---- Active authentication ----

  protected internalAuthenticate(c: CommandApdu): CardResponse {
    if (!this.aaKey) return { sw: SW.INS_NOT_SUPPORTED };
    if (!this.sm) return { sw: SW.SECURITY_NOT_SATISFIED };
    if (c.p1 !== 0 || c.p2 !== 0) return { sw: SW.WRONG_P1P2 };
    if (c.data.length !== 8) return { sw: SW.WRONG_DATA };
    let sig: Buffer;
    if (this.aaKey.spec.kind === 'rsa') {
      // ISO/IEC 9796-2 scheme 1, partial recovery, SHA-1, trailer BC: F = 6A ‖ M1 ‖ H(M1 ‖ RND.IFD) ‖ BC.
      const k = this.aaKey.spec.bits / 8;
      const m1 = randomBytes(k - 22);
      const hash = createHash('sha1').update(m1).update(c.data).digest();
      const f = Buffer.concat([Buffer.from([0x6a]), m1, hash, Buffer.from([0xbc])]);
      sig = privateEncrypt({ key: this.aaKey.privateKey, padding: constants.RSA_NO_PADDING }, f);
    } else {
      sig = sign('sha256', c.data, { key: this.aaKey.privateKey, dsaEncoding: 'ieee-p1363' });
    }
    if (this.faults.aaFail) xorAt(sig, sig.length - 1, 0x01);
    this.stats.aa++;
    return { sw: SW.OK, data: sig };
  }
}
