// JPKI 利用者証明用 (user authentication) on the マイナンバーカード — the card side of the protocol as
// published (docs/reference/mynumber.md §4.2, §4.1): select the JPKI-AP, read the authentication certificate (EF 000A),
// verify the 4-digit PIN (EF 0018) under the PIN-safety policy, and have the card sign a fresh random
// challenge with the authentication key (EF 0017). This module only talks to the card; deciding whether
// the evidence is good is jpki-auth-verdict.ts's job.
import { randomBytes } from 'node:crypto';
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { SW_OK } from '../../../drivers/reader/apdu.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { verifyWithPolicy } from '../pin-verify.ts';
import { computeSignature, readCertificateEf, readJpkiToken, readOptionalCertificateEf, selectEfOrFail, sha256DigestInfo } from './jpki-card.ts';
import { JPKI_AUTH_PIN_FORMAT, type SecretPrompt } from '../secrets.ts';

export const JPKI_AID = Buffer.from('D392F000260100000001', 'hex');
export const JPKI_EF = {
  token: 0x0006,
  authCert: 0x000a,
  authCaCert: 0x000b,
  authKey: 0x0017,
  authPin: 0x0018,
} as const;
export const JPKI_AUTH_MAX_TRIES = 3;

export type JpkiAuthStep = 'identify' | 'read-certificate' | 'pin' | 'sign-challenge';

export interface JpkiAuthEvidence {
  certificateDer: Buffer;
  /** The CA certificate the card carries (informational: trust comes from configured anchors only). */
  cardCaCertificateDer: Buffer | null;
  /** EF 0006 token, e.g. "JPKIAPICCTOKEN2" (card) or "JPKIAPGPSETOKEN" (smartphone). */
  token: string | null;
  pinTriesBefore: number;
  challenge: Buffer;
  signature: Buffer;
}

export interface JpkiAuthOptions {
  prompt: SecretPrompt;
  progress?: (step: JpkiAuthStep) => void;
  /** Keypad entries allowed for the PIN (the CLI has one; the kiosk lets the holder retry while tries > 1). */
  pinAttempts?: number;
  /** Called as soon as the certificate is read (so a refusal at the PIN step can still name it). */
  onCertificate?: (der: Buffer) => void;
  /** For tests only: a fixed challenge. Production always uses 32 fresh random bytes. */
  challenge?: Buffer;
}

/** True when the card has a JPKI-AP (detection by application, not by ATR). */
export async function hasJpkiAp(session: CardSession): Promise<boolean> {
  return (await session.selectAid(JPKI_AID)) === SW_OK;
}

export async function readJpkiAuth(session: CardSession, o: JpkiAuthOptions): Promise<JpkiAuthEvidence> {
  o.progress?.('identify');
  if (!(await hasJpkiAp(session))) throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, 'no JPKI application on this card');

  const token = await readJpkiToken(session, JPKI_EF.token);

  o.progress?.('read-certificate');
  const certificateDer = await readCertificateEf(session, JPKI_EF.authCert, 'authentication certificate');
  o.onCertificate?.(certificateDer);
  const cardCaCertificateDer = await readOptionalCertificateEf(session, JPKI_EF.authCaCert, 'authentication CA certificate');

  o.progress?.('pin');
  const { triesBefore } = await verifyWithPolicy(session, {
    purpose: 'jpki-auth-pin',
    format: JPKI_AUTH_PIN_FORMAT,
    maxTries: JPKI_AUTH_MAX_TRIES,
    p2: 0x80,
    selectPin: () => selectEfOrFail(session, JPKI_EF.authPin, 'authentication PIN'),
    prompt: o.prompt,
    maxAttempts: o.pinAttempts,
    what: 'JPKI authentication PIN',
  });

  o.progress?.('sign-challenge');
  const challenge = o.challenge ?? randomBytes(32);
  const signature = await computeSignature(session, JPKI_EF.authKey, sha256DigestInfo(challenge), 'authentication key');
  return { certificateDer, cardCaCertificateDer, token, pinTriesBefore: triesBefore, challenge, signature };
}
