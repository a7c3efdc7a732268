// What residence-card evidence proves: the chip data carries a valid issuer signature ("check code") by
// the card certificate, that certificate chains to a configured Immigration Services Agency CA
// ('residence' trust anchors), and — 2nd generation — the card and the period of stay have not expired.
// A valid signature proves the data is authentic, not that the card is still valid: no revocation
// service exists for these cards (docs/reference/residence.md "Issuer signature"), so revocation is
// "not-applicable", not "unknown". The card offers no anti-clone proof (no chip challenge signature): the
// issuer signature is all there is to prove, and holder binding is the printed card number only.
//
// The card's kind (在留カード / 特別永住者証明書) is taken from signed data wherever the signed data states it:
// 2nd generation from the signed printed entries (card-data.ts signedKindGen2); the card type byte is not
// signed, and a card whose byte disagrees with its signed data is refused. 1st generation signs only the
// front-side image and the face, so the kind is reported `unproven` (never as a verified kind).
import { at, defined } from '../../../core/checked.ts';
import { X509Certificate, constants, verify, type KeyObject } from 'node:crypto';
import { ErrorCodes, type ErrorCode } from '../../../core/errors.ts';
import type { Authenticity, Reason } from '../../result/result-view.ts';
import { validateChain } from '../../trust/chain.ts';
import { fingerprintSha256, type TrustStore } from '../../trust/trust-store.ts';
import { parseExtensions } from '../../trust/x509-extensions.ts';
import {
  gen1SignedData,
  gen2SignedData,
  parseCheckCode,
  parseGen1Df1,
  parseGen1Df2,
  parseGen2Df1,
  parseGen2Df2,
  signedKindGen2,
  type Gen1Df2,
  type Gen2Df2,
  type Gen2Printed,
} from './card-data.ts';
import { GEN1_SFI, GEN2_SFI, type Generation, type ResidenceKind } from './constants.ts';
import type { ResidenceEvidence } from './read-residence.ts';

export interface ResidenceImages {
  /** JPEG 2000 (both generations). */
  face: Buffer;
  /** 1st gen: front side, MMR (CCITT G4) TIFF. */
  frontImage?: Buffer;
  /** 2nd gen: name, MMR TIFF. */
  nameImage?: Buffer;
}

export interface ResidenceResult {
  document: 'residence';
  generation: Generation;
  /** The card type byte as the card answered it (MF/EF02 C1) — not covered by the issuer signature. */
  cardType: string;
  /**
   * The kind as proven by signed data (2nd gen), or `unproven` (1st gen: the signed data is images only;
   * or nothing was proven). Never taken from the card type byte alone.
   */
  kind: ResidenceKind | 'unproven';
  /** What the unsigned card type byte claims. */
  claimedKind: ResidenceKind;
  specVersion: string | null;
  /** 2nd gen: the printed entries as text. 1st gen has no text on the chip for these (image only). */
  printed: Gen2Printed | null;
  /** DF2: address (1st gen) and permissions. */
  supplementary: Gen1Df2 | Gen2Df2 | null;
  certificate: { serialNumber: string; fingerprintSha256: string; issuer: string; notAfter: string | null } | null;
  issuerSignature: 'valid' | 'invalid' | 'not-checked';
  signatureEncoding: 'pkcs1' | 'ieee-p1363' | 'der' | null;
  chain: 'valid' | 'invalid' | 'not-checked';
  /** No revocation service exists for residence cards. */
  revocation: 'not-applicable';
  expiry: {
    card: 'valid' | 'expired' | 'not-on-chip' | 'not-checked';
    periodOfStay: 'valid' | 'expired' | 'indefinite' | 'not-applicable' | 'not-on-chip' | 'not-checked';
  };
  /** `proven` only when the issuer signature verifies, chains to a configured anchor, and the kind agrees. */
  authenticity: Authenticity;
  /** The card opens to its printed number; nothing ties the presenter to the card beyond holding it. */
  holderBinding: 'printed-number-only';
  /** Every check and its result; checks not made say so. */
  checks: Record<string, string>;
  /** verified: proven and every check held; chip-read: every check held but not proven; refused otherwise. */
  verdict: 'verified' | 'chip-read' | 'refused';
  reasons: Reason[];
}

export interface AssessOptions {
  trust: TrustStore;
  at: Date;
}

/** The calendar date in Japan (UTC+9, no DST) as YYYYMMDD: card dates are Japanese calendar dates. */
export function japanDate(at: Date): string {
  return new Date(at.getTime() + 9 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

const DATE = /^(\d{4})(\d{2})(\d{2})$/;

/** 'expired' when the YYYYMMDD date lies before `today` (a card is valid through its expiry date). */
function dateStatus(value: string | null, today: string): 'valid' | 'expired' | 'none' | 'malformed' {
  if (value === null || /^0+$/.test(value)) return 'none';
  const m = DATE.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31) return 'malformed';
  return value < today ? 'expired' : 'valid';
}

/** An X.509 time as Node reports it, or null when it does not parse (a tampered certificate may carry anything). */
function certTime(value: string): Date | null {
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t) : null;
}

function summarize(cert: X509Certificate) {
  return {
    serialNumber: cert.serialNumber.toLowerCase(),
    fingerprintSha256: fingerprintSha256(cert.raw).toLowerCase(),
    issuer: cert.issuer.replace(/\n/g, ', '),
    notAfter: certTime(cert.validTo)?.toISOString() ?? null,
  };
}

/** The certificate's public key, or null when Node cannot use it (unsupported or malformed key). */
function publicKeyOf(cert: X509Certificate): KeyObject | null {
  try {
    return cert.publicKey;
  } catch {
    return null;
  }
}

/** Verify the check code with the certificate's key, as the generation prescribes. */
function verifyCheckCode(
  generation: Generation,
  cert: X509Certificate,
  data: Buffer,
  sig: Buffer,
): { ok: boolean; encoding: ResidenceResult['signatureEncoding']; why?: string } {
  const key = publicKeyOf(cert);
  if (!key) return { ok: false, encoding: null, why: 'certificate key cannot be used' };
  const d = key.asymmetricKeyDetails ?? {};
  if (generation === 1) {
    if (key.asymmetricKeyType !== 'rsa' || (d.modulusLength ?? 0) < 2048) return { ok: false, encoding: null, why: 'certificate key is not RSA-2048' };
    if (sig.length !== Math.ceil((d.modulusLength ?? 0) / 8))
      return { ok: false, encoding: 'pkcs1', why: `signature of ${sig.length} bytes for a ${d.modulusLength}-bit key` };
    try {
      return { ok: verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, sig), encoding: 'pkcs1' };
    } catch {
      return { ok: false, encoding: 'pkcs1' };
    }
  }
  if (key.asymmetricKeyType !== 'ec' || d.namedCurve !== 'secp384r1') return { ok: false, encoding: null, why: 'certificate key is not ECDSA P-384' };
  // Raw r‖s (96 bytes) per the spec; DER is also reported in the field, so both are accepted — tried in
  // turn rather than guessed from the first byte (a raw r may start with 30; a DER signature may be 96 bytes).
  const tries: Array<'ieee-p1363' | 'der'> = [...(sig.length === 96 ? (['ieee-p1363'] as const) : []), ...(sig[0] === 0x30 ? (['der'] as const) : [])];
  if (tries.length === 0) return { ok: false, encoding: null, why: `signature of ${sig.length} bytes is neither r‖s nor DER` };
  for (const encoding of tries) {
    try {
      if (verify('sha256', data, { key, dsaEncoding: encoding }, sig)) return { ok: true, encoding };
    } catch {
      /* not this encoding */
    }
  }
  return { ok: false, encoding: at(tries, 0) };
}

export function assessResidence(ev: ResidenceEvidence, o: AssessOptions): { result: ResidenceResult; images: ResidenceImages | null } {
  const result: ResidenceResult = {
    document: 'residence',
    generation: ev.generation,
    cardType: ev.cardType,
    kind: 'unproven',
    claimedKind: ev.claimedKind,
    specVersion: ev.specVersion,
    printed: null,
    supplementary: null,
    certificate: null,
    issuerSignature: 'not-checked',
    signatureEncoding: null,
    chain: 'not-checked',
    revocation: 'not-applicable',
    expiry: { card: 'not-checked', periodOfStay: 'not-checked' },
    authenticity: 'chip-read',
    holderBinding: 'printed-number-only',
    checks: {},
    verdict: 'refused',
    reasons: [],
  };
  // Authenticity goes to `failed` on a fact that the card is not what the issuer made (signature
  // mismatch, kind edited), and never back up.
  let failed = false;
  let chainCheck: string | null = null;
  let signedKind: ResidenceKind | null = null;
  const refuse = (code: ErrorCode, message: string) => result.reasons.push({ code, message });
  const done = (images: ResidenceImages | null) => {
    result.checks = {
      'data-structure': result.checks['data-structure'] ?? 'not-checked',
      'issuer-signature': result.issuerSignature,
      'certificate-chain': chainCheck ?? result.chain,
      'card-kind': result.checks['card-kind'] ?? 'not-checked',
      'card-expiry': result.expiry.card,
      'period-of-stay': result.expiry.periodOfStay,
      revocation: 'not-applicable',
      'anti-clone': 'not-offered-by-card',
    };
    const proven = !failed && result.issuerSignature === 'valid' && result.chain === 'valid' && result.checks['card-kind'] !== 'mismatch';
    result.authenticity = failed ? 'failed' : proven ? 'proven' : 'chip-read';
    // The kind is reported only as far as it is proven: from signed data that verified and chains. A kind
    // read from signed bytes whose signature did not hold is not "signed".
    if (!proven && result.checks['card-kind'] === 'signed') result.checks['card-kind'] = 'unproven';
    result.kind = proven && result.checks['card-kind'] === 'signed' && signedKind ? signedKind : 'unproven';
    result.verdict = result.reasons.length > 0 ? 'refused' : result.authenticity === 'proven' ? 'verified' : 'chip-read';
    return { result, images };
  };

  // Parse (a malformed file refuses: nothing partially parsed is reported as authentic).
  let signed: Buffer;
  let images: ResidenceImages;
  let check: ReturnType<typeof parseCheckCode>;
  try {
    const file = (m: Map<number, Buffer>, sfi: number, what: string) => {
      const b = m.get(sfi);
      if (!b) throw Object.assign(new Error(`${what} was not read`), { code: ErrorCodes.CARD_MALFORMED_RESPONSE });
      return b;
    };
    if (ev.generation === 1) {
      const p = parseGen1Df1(file(ev.df1, GEN1_SFI.df1Front, 'DF1 front image'), file(ev.df1, GEN1_SFI.df1Face, 'DF1 face'));
      signed = gen1SignedData(p);
      images = { face: p.face, frontImage: p.frontImage };
      result.supplementary = parseGen1Df2({
        address: ev.df2.get(GEN1_SFI.df2Address) ?? null,
        comprehensive: ev.df2.get(GEN1_SFI.df2Comprehensive) ?? null,
        individual: ev.df2.get(GEN1_SFI.df2Individual) ?? null,
        renewal: ev.df2.get(GEN1_SFI.df2Renewal) ?? null,
      });
    } else {
      const p = parseGen2Df1(file(ev.df1, GEN2_SFI.df1Printed, 'DF1/EF02'), file(ev.df1, GEN2_SFI.df1NameFace, 'DF1/EF03'));
      signed = gen2SignedData(p);
      signedKind = signedKindGen2(p.printedSigned);
      images = { face: p.face, nameImage: p.nameImage };
      result.printed = p.printed;
      result.supplementary = parseGen2Df2(ev.df2.get(GEN2_SFI.df2Permission) ?? null, ev.df2.get(GEN2_SFI.df2Renewal) ?? null);
      if (p.layout !== signedKind)
        throw Object.assign(new Error(`DF1/EF02 has the ${p.layout} layout but its signed values are those of a ${signedKind}`), {
          code: ErrorCodes.CARD_MALFORMED_RESPONSE,
        });
    }
    check = parseCheckCode(ev.df3, ev.generation);
  } catch (e) {
    result.checks['data-structure'] = 'malformed';
    refuse(ErrorCodes.CARD_MALFORMED_RESPONSE, (e as Error).message);
    return done(null);
  }
  result.checks['data-structure'] = 'valid';

  // The kind: from the signed printed entries (2nd gen), compared with the unsigned card type byte.
  if (signedKind) {
    if (signedKind !== ev.claimedKind) {
      result.checks['card-kind'] = 'mismatch';
      failed = true;
      refuse(ErrorCodes.RESIDENCE_CARD_KIND_MISMATCH, `the card type ${ev.cardType} says ${ev.claimedKind}, the signed card data is that of a ${signedKind}`);
    } else result.checks['card-kind'] = 'signed';
  } else result.checks['card-kind'] = 'unproven';

  let cert: X509Certificate;
  try {
    cert = new X509Certificate(check.certificateDer);
  } catch (e) {
    refuse(ErrorCodes.TRUST_CERT_MALFORMED, `card certificate does not parse: ${(e as Error).message}`);
    return done(null);
  }
  result.certificate = summarize(cert);
  if (!certTime(cert.validFrom) || !certTime(cert.validTo)) {
    refuse(ErrorCodes.TRUST_CERT_MALFORMED, 'card certificate validity dates do not parse');
    return done(null);
  }

  const sig = verifyCheckCode(ev.generation, cert, signed, check.signature);
  result.signatureEncoding = sig.encoding;
  result.issuerSignature = sig.ok ? 'valid' : 'invalid';
  if (!sig.ok) {
    failed = true;
    refuse(ErrorCodes.CARD_SIGNATURE_INVALID, `the issuer signature over the card data does not verify${sig.why ? ` (${sig.why})` : ''}`);
  }

  // Key usage: digitalSignature when the certificate states key usages at all.
  let kuOk = true;
  try {
    const ku = parseExtensions(cert.raw).keyUsage;
    kuOk = !ku || ku.has('digitalSignature');
  } catch {
    kuOk = false;
  }
  let chain: ReturnType<typeof validateChain>;
  try {
    chain = validateChain(cert, o.trust, { at: o.at, leafKeyUsage: [] });
  } catch (e) {
    chain = { valid: false as const, code: ErrorCodes.TRUST_CERT_MALFORMED, message: `certificate chain could not be evaluated: ${(e as Error).message}` };
  }
  result.chain = chain.valid && kuOk ? 'valid' : 'invalid';
  if (!chain.valid) {
    // No configured anchor: the data is chip-read (not proven) — the verdict gate decides; a certificate
    // that names a configured CA but whose signature does not verify is a forgery.
    if (chain.code === ErrorCodes.TRUST_CHAIN_INVALID) failed = true;
    if (chain.code !== ErrorCodes.TRUST_NO_ANCHOR) refuse(chain.code, chain.message);
    else chainCheck = 'no-configured-anchor';
  } else if (!kuOk) refuse(ErrorCodes.TRUST_KEY_USAGE, 'card certificate may not sign data');

  // Expiry (2nd gen: text on the chip; 1st gen: printed on the front image only).
  if (ev.generation === 1) {
    result.expiry = { card: 'not-on-chip', periodOfStay: 'not-on-chip' };
  } else {
    const today = japanDate(o.at);
    // 2nd gen: parseGen2Df1 above set the printed entries, or the read was refused there.
    const printed = defined(result.printed, ErrorCodes.INTERNAL, 'DF1/EF02 printed entries');
    const card = dateStatus(printed.cardExpiry, today);
    const stay = dateStatus(printed.periodOfStayExpiry, today);
    const renewalPending = (result.supplementary as Gen2Df2).renewalApplication === '1';
    if (card === 'malformed' || card === 'none') {
      result.expiry.card = 'not-checked';
      refuse(ErrorCodes.CARD_MALFORMED_RESPONSE, 'card expiry date (C5) is missing or malformed');
    } else {
      result.expiry.card = card;
      if (card === 'expired') refuse(ErrorCodes.RESIDENCE_CARD_EXPIRED, `the card expired on ${printed.cardExpiry}`);
    }
    // By the signed kind (an SPR certificate has no period of stay), never by the unsigned byte.
    if (signedKind === 'special-permanent-resident') result.expiry.periodOfStay = 'not-applicable';
    else if (stay === 'malformed') {
      refuse(ErrorCodes.CARD_MALFORMED_RESPONSE, 'period-of-stay expiry (CD) is malformed');
    } else if (stay === 'none') {
      result.expiry.periodOfStay = 'indefinite';
    } else {
      result.expiry.periodOfStay = stay;
      if (stay === 'expired') {
        refuse(
          ErrorCodes.RESIDENCE_STAY_EXPIRED,
          `the period of stay ended on ${printed.periodOfStayExpiry}${renewalPending ? ' (a renewal application is recorded as pending: check the special period in person)' : ''}`,
        );
      }
    }
  }
  return done(images);
}
