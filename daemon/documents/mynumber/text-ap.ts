// 券面事項入力補助AP (text AP) on the マイナンバーカード — the card side as published (docs/reference/mynumber.md §1–§5):
// SELECT the AP, VERIFY the 4-digit 券面事項入力補助用暗証番号 (EF 0011) under the PIN-safety policy, then
// read EF 0002 (4 basic info) and EF 0003 (signature file). Deciding what the data proves is
// mynumber-info-verdict.ts's job.
//
// EF 0001 holds the 個人番号. Selecting it is impossible here unless the caller passes a MyNumberPermission,
// which only exists when the deployment's configuration enables it together with a recorded legal basis
// (番号法 §15/19/20; docs/reference/mynumber.md §2). The check sits in front of every SELECT, not in a flow.
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { statusError } from '../../../drivers/reader/card-session.ts';
import { SW_OK } from '../../../drivers/reader/apdu.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { verifyWithPolicy } from '../pin-verify.ts';
import { wipe, type SecretFormat, type SecretPrompt } from '../secrets.ts';
import { CARD_BER } from '../../encoding/ber-tlv.ts';
import { challengeCard, type CardChallenge } from './card-challenge.ts';

export const TEXT_AP_AID = Buffer.from('D3921000310001010408', 'hex');
export const TEXT_EF = {
  myNumber: 0x0001,
  basicInfo: 0x0002,
  signature: 0x0003,
  cvCertificate: 0x0004,
  apInfo: 0x0005,
  cardKey: 0x0007,
  pin: 0x0011,
  checkCodeA: 0x0014,
  checkCodeB: 0x0015,
} as const;
export const TEXT_PIN_MAX_TRIES = 3; // public guidance; no code constant found (docs/reference/mynumber.md §2: UNVERIFIED)
export const TEXT_PIN_FORMAT: SecretFormat = { kind: 'digits', min: 4, max: 4 };

/** Proof that the deployment may handle the My Number: its configured legal basis (never empty). */
export interface MyNumberPermission {
  legalBasis: string;
}

export type MyNumberStep = 'identify' | 'pin' | 'read-info' | 'read-certificate' | 'sign-challenge' | 'read-images';

export interface TextApEvidence {
  basicInfoEf: Buffer;
  /** EF 0003, or null when the card does not give it (absent / access refused). */
  signatureEf: Buffer | null;
  /** EF 0004, the AP's CV certificate (readable without a PIN), or null when the card does not give it. */
  cvCertificateEf: Buffer | null;
  /** EF 0007 (card key + issuer signature), or null when the card does not give it. */
  cardKeyEf: Buffer | null;
  /** The card's answer to a fresh challenge (card-challenge.ts). */
  challenge: CardChallenge | null;
  pinTriesBefore: number;
}

export interface TextApOptions {
  prompt: SecretPrompt;
  progress?: (step: MyNumberStep) => void;
  pinAttempts?: number;
}

export async function hasTextAp(session: CardSession): Promise<boolean> {
  return (await session.selectAid(TEXT_AP_AID)) === SW_OK;
}

/** SELECT EF in the text AP; EF 0001 only with a permission. */
export async function selectTextEf(session: CardSession, fid: number, permission?: MyNumberPermission | null): Promise<number> {
  if (fid === TEXT_EF.myNumber && !permission?.legalBasis) {
    throw new KioskError(ErrorCodes.MYNUMBER_NOT_ALLOWED, 'the My Number EF is never selected without a configured legal basis');
  }
  return session.selectEf(fid);
}

async function selectOk(session: CardSession, fid: number, what: string, permission?: MyNumberPermission | null): Promise<void> {
  const sw = await selectTextEf(session, fid, permission);
  if (sw !== SW_OK) throw statusError(sw, `select ${what}`);
}

/** Select the text AP, query the PIN tries, VERIFY (one keypad entry per VERIFY). */
export async function unlockTextAp(session: CardSession, o: TextApOptions): Promise<number> {
  if (!(await hasTextAp(session))) throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, 'no 券面事項入力補助AP on this card');
  o.progress?.('pin');
  const { triesBefore } = await verifyWithPolicy(session, {
    purpose: 'mynumber-text-pin',
    format: TEXT_PIN_FORMAT,
    maxTries: TEXT_PIN_MAX_TRIES,
    p2: 0x80,
    selectPin: () => selectOk(session, TEXT_EF.pin, 'text AP PIN'),
    prompt: o.prompt,
    maxAttempts: o.pinAttempts,
    what: '券面事項入力補助用暗証番号',
  });
  return triesBefore;
}

export async function readTextAp(session: CardSession, o: TextApOptions): Promise<TextApEvidence> {
  o.progress?.('identify');
  const pinTriesBefore = await unlockTextAp(session, o);
  o.progress?.('read-info');
  await selectOk(session, TEXT_EF.basicInfo, 'basic info (EF 0002)');
  const basicInfoEf = await session.readTlvFile('basic info (EF 0002)');
  let signatureEf: Buffer | null = null;
  const sw = await selectTextEf(session, TEXT_EF.signature);
  if (sw === SW_OK) {
    try {
      signatureEf = await session.readTlvFile('signature file (EF 0003)');
    } catch (e) {
      if (!(e instanceof KioskError) || e.code === ErrorCodes.CARD_REMOVED || e.code.startsWith('READER_')) throw e;
      signatureEf = null; // reported as "absent": the hash comparison then cannot be made
    }
  }
  const cvCertificateEf = await readOptionalEf(session, () => selectTextEf(session, TEXT_EF.cvCertificate), 'CV certificate (EF 0004)');
  const cardKeyEf = await readOptionalEf(session, () => selectTextEf(session, TEXT_EF.cardKey), 'card key (EF 0007)');
  const challenge = await challengeCard(session);
  return { basicInfoEf, signatureEf, cvCertificateEf, cardKeyEf, challenge, pinTriesBefore };
}

/**
 * An EF the verdict needs but the card may refuse (absent, access denied): null then, so the verdict can
 * say which proof is missing. Card removal and reader failures still end the session.
 */
export async function readOptionalEf(session: CardSession, select: () => Promise<number>, what: string): Promise<Buffer | null> {
  if ((await select()) !== SW_OK) return null;
  try {
    return await session.readTlvFile(what);
  } catch (e) {
    if (!(e instanceof KioskError) || e.code === ErrorCodes.CARD_REMOVED || e.code.startsWith('READER_')) throw e;
    return null;
  }
}

/**
 * Reads the 12-digit My Number from EF 0001 of an unlocked text AP — only with a permission — for use as
 * 照合番号A. The returned Buffer is the caller's to wipe right after the VERIFY. Never logged, never shown.
 */
export async function readMyNumberForCheckCodeA(session: CardSession, permission: MyNumberPermission): Promise<Buffer> {
  await selectOk(session, TEXT_EF.myNumber, 'My Number EF', permission);
  const ef = await session.readTlvFile('My Number EF');
  try {
    const t = CARD_BER.read(ef, 0, 'My Number EF');
    // Tag FF10 on the JPKI test card (docs/reference/mynumber.md §5); any xx10 is accepted. Value: 12 ASCII digits.
    if ((t.tag & 0xff) !== 0x10 || t.value.length !== 12 || !t.value.every((b) => b >= 0x30 && b <= 0x39)) {
      throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, 'My Number EF does not hold 12 digits');
    }
    return Buffer.from(t.value);
  } finally {
    wipe(ef);
  }
}
