// JPKI 署名用電子証明書 (signing certificate) and signing on the マイナンバーカード — the card side as
// published (docs/reference/mynumber.md §4.2, §4.1): SELECT the JPKI-AP, VERIFY the 6–16 character signing password
// (EF 001B, 5 tries) under the PIN-safety policy, read the signing certificate (EF 0001, released only
// after that VERIFY) and the signing CA certificate (EF 0002), then have the card sign a SHA-256
// DigestInfo of the host's transaction data with the signing key (EF 001A, `80 2A 00 80`).
// Deciding what that proves is jpki-sign-verdict.ts's job.
import { createHash } from 'node:crypto';
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { verifyWithPolicy } from '../pin-verify.ts';
import { computeSignature, readCertificateEf, readJpkiToken, readOptionalCertificateEf, selectEfOrFail, sha256DigestInfoOfDigest } from './jpki-card.ts';
import type { SecretFormat, SecretPrompt } from '../secrets.ts';
import { hasJpkiAp, JPKI_EF } from './jpki-auth.ts';

export const JPKI_SIGN_EF = { signCert: 0x0001, signCaCert: 0x0002, signKey: 0x001a, signPassword: 0x001b } as const;
export const JPKI_SIGN_MAX_TRIES = 5;
/** 6–16 characters, upper-case A–Z and 0–9 (jpki.go.jp; entered by multi-tap on the keypad). */
export const JPKI_SIGN_PASSWORD_FORMAT: SecretFormat = { kind: 'alnum', min: 6, max: 16 };

export type JpkiSignStep = 'identify' | 'pin' | 'read-certificate' | 'sign-challenge';

export interface JpkiSignEvidence {
  certificateDer: Buffer;
  /** Informational: trust comes from configured anchors only. */
  cardCaCertificateDer: Buffer | null;
  token: string | null;
  passwordTriesBefore: number;
  /** SHA-256 of the host's transaction data (what the card signed, inside a DigestInfo). */
  dataDigest: Buffer;
  signature: Buffer;
}

export interface JpkiSignOptions {
  prompt: SecretPrompt;
  /** Transaction data supplied by the host application; the card signs its SHA-256 digest. */
  data: Buffer;
  progress?: (step: JpkiSignStep) => void;
  /** Keypad entries allowed for the password (the CLI has one). */
  passwordAttempts?: number;
  onCertificate?: (der: Buffer) => void;
}

export async function readJpkiSign(session: CardSession, o: JpkiSignOptions): Promise<JpkiSignEvidence> {
  if (o.data.length === 0) throw new KioskError(ErrorCodes.USAGE, 'no transaction data to sign');
  const dataDigest = createHash('sha256').update(o.data).digest();
  o.progress?.('identify');
  if (!(await hasJpkiAp(session))) throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, 'no JPKI application on this card');
  const token = await readJpkiToken(session, JPKI_EF.token);

  o.progress?.('pin');
  const { triesBefore } = await verifyWithPolicy(session, {
    purpose: 'jpki-sign-password',
    format: JPKI_SIGN_PASSWORD_FORMAT,
    maxTries: JPKI_SIGN_MAX_TRIES,
    p2: 0x80,
    selectPin: () => selectEfOrFail(session, JPKI_SIGN_EF.signPassword, 'signing password'),
    prompt: o.prompt,
    maxAttempts: o.passwordAttempts,
    what: 'JPKI signing password',
  });

  o.progress?.('read-certificate');
  // The signing certificate carries name/address/DOB/sex; the card releases it only after VERIFY 001B.
  const certificateDer = await readCertificateEf(session, JPKI_SIGN_EF.signCert, 'signing certificate');
  o.onCertificate?.(certificateDer);
  const cardCaCertificateDer = await readOptionalCertificateEf(session, JPKI_SIGN_EF.signCaCert, 'signing CA certificate');

  o.progress?.('sign-challenge');
  const signature = await computeSignature(session, JPKI_SIGN_EF.signKey, sha256DigestInfoOfDigest(dataDigest), 'signing key');
  return { certificateDer, cardCaCertificateDer, token, passwordTriesBefore: triesBefore, dataDigest, signature };
}
