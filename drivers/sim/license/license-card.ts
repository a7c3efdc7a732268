// Virtual IC 運転免許証 on the card OS: the file system of cards.md §4.1 (MF with the free EF01/EF02 and
// the PIN IEFs, DF1 記載事項, DF2 写真, DF3 RFU), PIN1/PIN2 with 3-try counters (locked = 6984), VERIFY by
// reference from the MF (P2 81/82) or on the selected IEF (P2 80), and the access rules: DF1 needs PIN1,
// 本籍 (DF1/EF02, EF06) and the photo need PIN1 *and* PIN2. A holder without PINs has "****" for both.
// There is no command to change or unblock a PIN: that happens only at a licensing centre.
import { addDf, addEf, ALWAYS, createMf, Iso7816Card, NEVER, PinObject, type AccessRule, type TransportQuirks } from '../iso7816/index.ts';
import {
  DF1_EF,
  DF2_EF_PHOTO,
  LICENSE_DF1_AID,
  LICENSE_DF2_AID,
  LICENSE_DF3_AID,
  LICENSE_PIN_MAX_TRIES,
  MF_EF,
} from '../../../daemon/documents/license/constants.ts';
import type { TestCertificate } from '../pki.ts';
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
import { buildSignatureEf, createLicenseSigningKey } from './signer.ts';

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
  /** Key that signs EF07 (default: a fresh synthetic key, see signer.ts). */
  signingKey?: TestCertificate;
  corruptSignature?: boolean;
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

  constructor(o: LicenseCardOptions) {
    const mf = createMf();
    super({ atr: LICENSE_ATR, mf, quirks: o.quirks, logLimit: o.logLimit });
    this.holder = o.holder;
    const pinValue = (v: string) => {
      if (!/^[0-9]{4}$/.test(v)) throw new RangeError('licence PINs are 4 digits');
      return v;
    };
    const [v1, v2] = o.pins === 'default' ? ['****', '****'] : [pinValue(o.pins.pin1), pinValue(o.pins.pin2)];
    this.pin1 = new PinObject({ value: v1, maxTries: LICENSE_PIN_MAX_TRIES, triesLeft: o.pin1TriesLeft, queryWhenBlocked: 0x6984 });
    this.pin2 = new PinObject({ value: v2, maxTries: LICENSE_PIN_MAX_TRIES, triesLeft: o.pin2TriesLeft, queryWhenBlocked: 0x6984 });
    const pin1Only: AccessRule = { kind: 'pin', pins: [this.pin1] };
    const both: AccessRule = { kind: 'pin', pins: [this.pin1, this.pin2] };
    this.#allOf.add(both);

    const h = o.holder;
    addEf(mf, { kind: 'transparent', fid: MF_EF.common, data: buildCommonData(h), read: ALWAYS });
    addEf(mf, { kind: 'transparent', fid: MF_EF.pinSetting, data: buildPinSetting(o.pins !== 'default'), read: ALWAYS });
    addEf(mf, { kind: 'pin', fid: MF_EF.pin1, ref: 1, pin: this.pin1 });
    addEf(mf, { kind: 'pin', fid: MF_EF.pin2, ref: 2, pin: this.pin2 });

    const matters = buildMatters(h);
    const honseki = buildHonseki(h);
    const gaiji = buildGaiji(h);
    const photo = buildPhoto(h);
    this.signingKey = o.signingKey ?? createLicenseSigningKey();
    const df1 = addDf(mf, { label: 'DF1 記載事項', aid: LICENSE_DF1_AID });
    const ef = (fid: number, data: Buffer, read: AccessRule) => addEf(df1, { kind: 'transparent', fid, data, read });
    ef(DF1_EF.matters, matters, pin1Only);
    ef(DF1_EF.honseki, honseki, both);
    ef(DF1_EF.gaiji, gaiji, pin1Only);
    ef(DF1_EF.changes, buildChangeRecords(h.changes.filter((c) => c.kind !== 'newHonseki'), 640), pin1Only);
    ef(DF1_EF.changedGaiji, buildChangedGaiji(), pin1Only);
    ef(DF1_EF.honsekiChanges, buildChangeRecords(h.changes.filter((c) => c.kind === 'newHonseki'), 256), both);
    ef(DF1_EF.signature, buildSignatureEf(this.signingKey, { matters, honseki, gaiji, photo }, { corrupt: o.corruptSignature }), pin1Only);

    const df2 = addDf(mf, { label: 'DF2 写真', aid: LICENSE_DF2_AID });
    addEf(df2, { kind: 'transparent', fid: DF2_EF_PHOTO, data: photo, read: both });
    const df3 = addDf(mf, { label: 'DF3 RFU', aid: LICENSE_DF3_AID });
    addEf(df3, { kind: 'transparent', fid: 0x0001, data: Buffer.alloc(16), read: NEVER });
  }

  override isSatisfied(rule: AccessRule): boolean {
    if (rule.kind === 'pin' && this.#allOf.has(rule)) return rule.pins.every((p) => this.isVerified(p));
    return super.isSatisfied(rule);
  }
}
