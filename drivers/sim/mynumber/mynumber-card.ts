// Virtual マイナンバーカード: the JPKI-AP on the card OS, plus the JPKI COMPUTE SIGNATURE command
// (`80 2A 00 80 Lc DigestInfo 00`, docs/reference/mynumber.md §4.2) which signs with the selected key EF after VERIFY.
// The 券面事項入力補助AP and 券面AP are added when their specs are given (text-ap.ts, visual-ap.ts); other
// applications are absent (SELECT → 6A82). CHANGE REFERENCE DATA is not implemented (6D00) so a kiosk can
// never change a PIN on it.
import { constants, privateEncrypt } from 'node:crypto';
import { createMf, Iso7816Card, SW, type CardResponse, type CommandApdu, type TransportQuirks } from '../iso7816/index.ts';
import type { PinObject } from '../iso7816/pin.ts';
import { buildJpkiAp, MYNUMBER_ATR, type JpkiAp, type JpkiApSpec } from './jpki-ap.ts';
import { buildTextAp, type TextAp, type TextApSpec } from './text-ap.ts';
import { buildVisualAp, type VisualAp, type VisualApSpec } from './visual-ap.ts';
import { xorAt } from '../../../core/checked.ts';

/** Faults a test can switch on (also at run time through `card.faults`). */
export interface MyNumberFaults {
  /** COMPUTE SIGNATURE returns a signature with one bit flipped (same length, 9000). */
  badSignature?: boolean;
  /** COMPUTE SIGNATURE answers this SW and no data (e.g. 0x6F00, 0x6581). */
  signatureStatus?: number;
  /** The 券面 APs' challenge signature (P2 00) answers this SW instead (e.g. 0x6A86: not supported). */
  challengeStatus?: number;
}

export interface MyNumberCardOptions extends JpkiApSpec {
  quirks?: TransportQuirks;
  faults?: MyNumberFaults;
  logLimit?: number;
  /** 券面事項入力補助AP (absent = SELECT answers 6A82, as on a card built for JPKI tests only). */
  text?: TextApSpec;
  /** 券面AP. */
  visual?: VisualApSpec;
}

const RSA_2048_MAX_INPUT = 256 - 11; // PKCS#1 v1.5 type 1 needs 11 bytes of padding

export class MyNumberCard extends Iso7816Card {
  readonly jpki: JpkiAp;
  readonly text?: TextAp;
  readonly visual?: VisualAp;
  faults: MyNumberFaults;
  /** Signatures produced (including deliberately corrupted ones). */
  signatureCount = 0;

  constructor(o: MyNumberCardOptions) {
    const mf = createMf();
    super({ atr: MYNUMBER_ATR, mf, quirks: o.quirks, logLimit: o.logLimit });
    this.jpki = buildJpkiAp(mf, o);
    if (o.text) this.text = buildTextAp(mf, o.text);
    if (o.visual) this.visual = buildVisualAp(mf, o.visual);
    this.faults = { ...o.faults };
    this.register(0x80, 0x2a, (c) => this.computeSignature(c));
  }

  get authPin(): PinObject {
    return this.jpki.authPin;
  }

  get signPin(): PinObject {
    return this.jpki.signPin;
  }

  protected computeSignature(cmd: CommandApdu): CardResponse {
    if (cmd.p1 === 0x00 && cmd.p2 === 0x00) return this.challengeSignature(cmd);
    if (cmd.p1 !== 0x00 || cmd.p2 !== 0x80) return { sw: SW.WRONG_P1P2 };
    if (cmd.data.length === 0 || cmd.data.length > RSA_2048_MAX_INPUT) return { sw: SW.WRONG_LENGTH };
    const ef = this.currentEf;
    if (!ef) return { sw: SW.NO_CURRENT_EF };
    if (ef.kind !== 'key') return { sw: SW.INCOMPATIBLE_FILE_STRUCTURE };
    if (!this.isSatisfied(ef.use)) return { sw: SW.SECURITY_NOT_SATISFIED };
    if (this.faults.signatureStatus !== undefined) return { sw: this.faults.signatureStatus };
    // RSA private-key operation with PKCS#1 v1.5 block type 1 over the host's DigestInfo, as the card does.
    const sig = privateEncrypt({ key: ef.key, padding: constants.RSA_PKCS1_PADDING }, cmd.data);
    if (this.faults.badSignature) xorAt(sig, sig.length - 1, 0x01);
    this.signatureCount++;
    return { sw: SW.OK, data: sig, fixedLength: true };
  }

  /**
   * P2 00 in the 券面事項入力補助AP or 券面AP: sign the host's DigestInfo with the AP's own card key, no
   * credential needed (docs/reference/mynumber.md §8.3). Elsewhere the reference is not supported.
   */
  protected challengeSignature(cmd: CommandApdu): CardResponse {
    const ap = [this.text, this.visual].find((a) => a && a.df === this.currentDf);
    if (!ap) return { sw: SW.WRONG_P1P2 };
    if (this.faults.challengeStatus !== undefined) return { sw: this.faults.challengeStatus };
    if (cmd.data.length === 0 || cmd.data.length > RSA_2048_MAX_INPUT) return { sw: SW.WRONG_LENGTH };
    return { sw: SW.OK, data: privateEncrypt({ key: ap.challengeKey, padding: constants.RSA_PKCS1_PADDING }, cmd.data), fixedLength: true };
  }
}
