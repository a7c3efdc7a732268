// Virtual IC 運転免許証 on the card OS: the file system of docs/reference/license.md §2 (MF with the free EF01/EF02 and
// the PIN IEFs, DF1 記載事項, DF2 写真, DF3 RFU), PIN1/PIN2 with 3-try counters (locked = 6984), VERIFY by
// reference from the MF (P2 81/82) or on the selected IEF (P2 80), and the access rules: DF1 needs PIN1,
// 本籍 (DF1/EF02, EF06) and the photo need PIN1 *and* PIN2. A holder without PINs has "****" for both.
// There is no command to change or unblock a PIN: that happens only at a licensing centre.
import { addDf, addEf, ALWAYS, createMf, Iso7816Card, NEVER, PinObject, type AccessRule, type CommandApdu, type TransportQuirks } from '../iso7816/index.ts';
import type { CardResponse } from '../iso7816/index.ts';
import type { TestCertificate } from '../pki.ts';
import { AID, FILES, PIN_MAX_TRIES } from './layout.ts';
import {
  buildChangedGaiji,
  buildChangeRecords,
  buildCommonData,
  buildGaiji,
  buildHonseki,
  buildMatters,
  buildPhoto,
  buildPinSetting,
  type LicenseHolder,
} from './holder.ts';
import { buildSignatureEf, createLicenseSigningKey, type Ef07Form } from './signer.ts';

/** Pseudo-ATR a PC/SC reader builds for an ISO 14443-4 Type B card (PC/SC part 3), TCK computed below. */
function pseudoAtr(): Buffer {
  const body = Buffer.from('3B888001000000000000000000', 'hex');
  let tck = 0;
  for (const b of body.subarray(1)) tck ^= b;
  return Buffer.concat([body, Buffer.from([tck])]);
}
export const LICENSE_ATR = pseudoAtr();

export interface LicenseCardOptions {
  holder: LicenseHolder;
  /** Holder-set PINs (4 digits each), or 'default': MF/EF02 = 00 and both PINs are "****". */
  pins: { pin1: string; pin2: string } | 'default';
  pin1TriesLeft?: number;
  pin2TriesLeft?: number;
  /** The key a verifier is meant to trust (default: a fresh synthetic key, see signer.ts). */
  signingKey?: TestCertificate;
  /** Adversarial: EF07's signature has its last bit flipped. */
  corruptSignature?: boolean;
  /** Adversarial: EF07 is signed by another fresh key, not `signingKey` (a forger's own key). */
  foreignKey?: boolean;
  /** Adversarial: EF07 is random bytes, not a TLV sequence. */
  garbageEf07?: boolean;
  /** Status word for a READ BINARY at or past the end of an EF (default 6700, as real licences may answer). */
  pastEndSw?: number;
  quirks?: TransportQuirks;
  logLimit?: number;
}

export class LicenseCard extends Iso7816Card {
  readonly pin1: PinObject;
  readonly pin2: PinObject;
  readonly signingKey: TestCertificate;
  readonly holder: LicenseHolder;
  /** Rules that need every listed PIN (the card OS's rules need any one). */
  readonly #allOf = new WeakSet<AccessRule>();
  readonly #pastEndSw: number;

  constructor(o: LicenseCardOptions) {
    const mf = createMf();
    super({ atr: LICENSE_ATR, mf, quirks: o.quirks, logLimit: o.logLimit });
    this.holder = o.holder;
    this.#pastEndSw = o.pastEndSw ?? 0x6700;
    const pinValue = (v: string) => {
      if (!/^[0-9]{4}$/.test(v)) throw new RangeError('licence PINs are 4 digits');
      return v;
    };
    const [v1, v2] = o.pins === 'default' ? ['****', '****'] : [pinValue(o.pins.pin1), pinValue(o.pins.pin2)];
    this.pin1 = new PinObject({ value: v1, maxTries: PIN_MAX_TRIES, triesLeft: o.pin1TriesLeft, queryWhenBlocked: 0x6984 });
    this.pin2 = new PinObject({ value: v2, maxTries: PIN_MAX_TRIES, triesLeft: o.pin2TriesLeft, queryWhenBlocked: 0x6984 });
    const pin1Only: AccessRule = { kind: 'pin', pins: [this.pin1] };
    const both: AccessRule = { kind: 'pin', pins: [this.pin1, this.pin2] };
    this.#allOf.add(both);

    const h = o.holder;
    addEf(mf, { kind: 'transparent', fid: FILES.mf.common.fid, data: buildCommonData(h), read: ALWAYS });
    addEf(mf, { kind: 'transparent', fid: FILES.mf.pinSetting.fid, data: buildPinSetting(o.pins !== 'default'), read: ALWAYS });
    addEf(mf, { kind: 'pin', fid: FILES.mf.pin1.fid, ref: 1, pin: this.pin1 });
    addEf(mf, { kind: 'pin', fid: FILES.mf.pin2.fid, ref: 2, pin: this.pin2 });

    const matters = buildMatters(h);
    const honseki = buildHonseki(h);
    const photo = buildPhoto(h);
    this.signingKey = o.signingKey ?? createLicenseSigningKey();
    const ef07Key = o.foreignKey ? createLicenseSigningKey() : this.signingKey;
    const ef07Form: Ef07Form = o.garbageEf07 ? 'garbage' : o.corruptSignature ? 'corrupt-signature' : 'valid';
    const d = FILES.df1;
    const df1 = addDf(mf, { label: 'DF1 記載事項', aid: AID.df1 });
    const ef = (fid: number, data: Buffer, read: AccessRule) => addEf(df1, { kind: 'transparent', fid, data, read });
    ef(d.matters.fid, matters, pin1Only);
    ef(d.honseki.fid, honseki, both);
    ef(d.gaiji.fid, buildGaiji(h), pin1Only);
    ef(
      d.changes.fid,
      buildChangeRecords(
        h.changes.filter((c) => c.kind !== 'newHonseki'),
        d.changes.size,
        h.rawChangeRecords,
      ),
      pin1Only,
    );
    ef(d.changedGaiji.fid, buildChangedGaiji(), pin1Only);
    ef(
      d.honsekiChanges.fid,
      buildChangeRecords(
        h.changes.filter((c) => c.kind === 'newHonseki'),
        d.honsekiChanges.size,
      ),
      both,
    );
    ef(d.signature.fid, buildSignatureEf(ef07Key, { matters, honseki, photo }, ef07Form), pin1Only);

    const df2 = addDf(mf, { label: 'DF2 写真', aid: AID.df2 });
    addEf(df2, { kind: 'transparent', fid: FILES.df2.photo.fid, data: photo, read: both });
    const df3 = addDf(mf, { label: 'DF3 RFU', aid: AID.df3 });
    addEf(df3, { kind: 'transparent', fid: 0x0001, data: Buffer.alloc(16), read: NEVER });
  }

  /** A read at or past the end of the current EF gets `pastEndSw` (6700 by default), not 6B00. */
  protected override readBinary(cmd: CommandApdu): CardResponse {
    const ef = this.currentEf;
    if (!(cmd.p1 & 0x80) && ef?.kind === 'transparent' && this.isSatisfied(ef.read) && ((cmd.p1 << 8) | cmd.p2) >= ef.data.length) {
      return { sw: this.#pastEndSw };
    }
    return super.readBinary(cmd);
  }

  override isSatisfied(rule: AccessRule): boolean {
    if (rule.kind === 'pin' && this.#allOf.has(rule)) return rule.pins.every((p) => this.isVerified(p));
    return super.isSatisfied(rule);
  }
}
