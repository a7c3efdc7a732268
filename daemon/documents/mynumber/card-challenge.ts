// The anti-clone proof of the 券面 applications (docs/reference/mynumber.md §8.3): the issuer's records
// prove the data, not the chip — a byte-exact copy of the signed files would pass them. Each AP also holds
// a card key whose public half sits inside a signed record (券面AP: DF24 of EF 0002, covered by DF28; text
// AP: DF51 of EF 0007, signed by DF52), and signs a host challenge with it: COMPUTE SIGNATURE
// `80 2A 00 00 Lc <DigestInfo(SHA-256(challenge))> 00`, P2 00 = the AP's default key, no credential
// (soltia48/myna-card src/ap/text.rs, src/ap/surface.rs `sign`). A valid answer under the signed key proves
// the chip in the reader holds that key.
import { randomBytes, type KeyObject } from 'node:crypto';
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { SW_OK } from '../../../drivers/reader/apdu.ts';
import { parseCardRsaKey, sha256DigestInfo } from './cv-certificate.ts';
import { verifyPkcs1v15 } from './rsa-pkcs1.ts';
import { CARD_BER, expectTags, type Tlv } from '../../encoding/ber-tlv.ts';

export interface CardChallenge {
  challenge: Buffer;
  /** The card's answer, or null when it refused the command (then `sw` says how). */
  signature: Buffer | null;
  sw: number;
}

/** Sends a fresh 32-byte challenge to the currently selected AP. Card removal and reader errors propagate. */
export async function challengeCard(session: CardSession): Promise<CardChallenge> {
  const challenge = randomBytes(32);
  const res = await session.send({ cla: 0x80, ins: 0x2a, p1: 0x00, p2: 0x00, data: sha256DigestInfo(challenge), le: 256 });
  return { challenge, signature: res.sw === SW_OK && res.data.length > 0 ? Buffer.from(res.data) : null, sw: res.sw };
}

export type ChallengeCheck = 'valid' | 'invalid' | 'not-supported' | 'not-checked';

/** The card's answer under the card key taken from a signed record (never from an unsigned place). */
export function checkChallenge(c: CardChallenge | null, cardKey: KeyObject | null): ChallengeCheck {
  if (!c || !cardKey) return 'not-checked';
  if (!c.signature) return 'not-supported';
  return verifyPkcs1v15(cardKey, sha256DigestInfo(c.challenge), c.signature) ? 'valid' : 'invalid';
}

export interface SignedCardKey {
  key: KeyObject;
  /** The DF51 TLV exactly as written — what DF52 covers. */
  signedData: Buffer;
  signature: Buffer;
}

/** Text AP EF 0007: FF50 { DF51 card key (90/91), DF52 signature over the DF51 TLV }. */
export function parseSignedCardKey(ef: Buffer): SignedCardKey {
  const what = 'card key (text AP EF 0007)';
  const [k, s] = expectTags(CARD_BER.template(ef, 0xff50, what), [0xdf51, 0xdf52], what) as [Tlv, Tlv];
  return { key: parseCardRsaKey(Buffer.from(k.value), what).key, signedData: Buffer.from(ef.subarray(k.start, k.end)), signature: Buffer.from(s.value) };
}
