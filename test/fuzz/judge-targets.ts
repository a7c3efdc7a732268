// The judge: no proven verdict from tampered signed or MAC'd data (issue 17). Each target starts from a
// genuine session recorded from a virtual card (recorded.ts) whose verdict is `verified`/`proven`, puts one
// mutated piece of evidence back in place of the genuine one and runs the document's own verdict function.
// An input is [field index, ...field bytes]: the mutator flips, truncates, inserts and splices inside the
// field (and now and then moves to another field). Rules:
//  - the signed bytes changed (signed-parts.ts decides, independently of the daemon's parsers) → the result
//    must not be `verified` nor authenticity `proven`;
//  - only bytes outside what is signed changed (padding, framing, unsigned fields) → the result may keep
//    the genuine verdict or fail closed (`refused`), and when it is `verified` the identity it reports must
//    be the genuine one (data shown under a proven verdict comes from signed bytes only).
// A violation throws TamperedProven (counted apart from crashes); a KioskError is a refused read.
import { X509Certificate } from 'node:crypto';
import { noJp2Decoder } from '../../daemon/images/jp2-to-png.ts';
import { assessJpkiAuth } from '../../daemon/documents/mynumber/jpki-auth-verdict.ts';
import type { JpkiAuthEvidence } from '../../daemon/documents/mynumber/jpki-auth.ts';
import { assessJpkiSign } from '../../daemon/documents/mynumber/jpki-sign-verdict.ts';
import type { JpkiSignEvidence } from '../../daemon/documents/mynumber/jpki-sign.ts';
import { assessMyNumberFace } from '../../daemon/documents/mynumber/mynumber-face-verdict.ts';
import { assessMyNumberInfo } from '../../daemon/documents/mynumber/mynumber-info-verdict.ts';
import type { TextApEvidence } from '../../daemon/documents/mynumber/text-ap.ts';
import type { VisualApEvidence } from '../../daemon/documents/mynumber/visual-ap.ts';
import { assessLicense } from '../../daemon/documents/license/license-verdict.ts';
import type { LicenseEvidence, LicenseFiles } from '../../daemon/documents/license/license-read.ts';
import { assessResidence } from '../../daemon/documents/residence/residence-verdict.ts';
import type { ResidenceEvidence } from '../../daemon/documents/residence/read-residence.ts';
import { activeAuthentication } from '../../daemon/documents/passport/access/chip-auth.ts';
import { dg14Set, parseDg1, parseDg15, parseDg2, parseTextDg } from '../../daemon/documents/passport/datagroups/data-groups.ts';
import { sodDataGroupNumbers } from '../../daemon/documents/passport/pki/passive-auth.ts';
import type { PassportEvidence } from '../../daemon/documents/passport/passport-read.ts';
import { assessPassport } from '../../daemon/documents/passport/passport-verdict.ts';
import { SecureMessaging, type SecureChannel } from '../../daemon/documents/passport/access/secure-messaging.ts';
import { parseSecurityInfos } from '../../daemon/documents/passport/datagroups/security-infos.ts';
import { isKioskError } from '../../core/errors.ts';
import { cvAnchors } from '../../daemon/documents/mynumber/cv-anchors.ts';
import { CscaStore } from '../../daemon/documents/passport/pki/csca-store.ts';
import { TrustStore } from '../../daemon/trust/trust-store.ts';
import { TamperedProven, type FuzzTarget } from './engine.ts';
import { goodRevocation, recordJpkiSign, recordLicense, recordMyNumber, recordPassport, recordResidence } from './recorded.ts';
import { certificateSignedParts, firstValue, paddedValues, sameParts, signedDataSignedParts, templateParts, tlvFileParts } from './signed-parts.ts';

/** What the judge looks at in a result. */
interface Judged {
  verdict: string;
  authenticity: string | null | undefined;
  /** The identity the result reports (only compared when verified). */
  identity: string;
}

interface Field<E> {
  name: string;
  genuine: Buffer;
  /** Evidence with this field replaced (may throw a KioskError where the reader would have refused). */
  put(ev: E, b: Buffer): E | Promise<E>;
  /**
   * What the signature/MAC covers in this field: 'all' (every byte), 'none' (nothing: an unsigned file), or
   * a function giving the signed parts (null = cannot tell → treated as changed).
   */
  signed: 'all' | 'none' | ((b: Buffer) => Buffer[] | null);
}

interface JudgeSetup<E> {
  genuine: E;
  fields: Field<E>[];
  assess(ev: E): Promise<Judged>;
}

/** Builds a judged target; `setup` runs once (recorded session, keys, anchors). */
export function judged<E>(name: string, setup: () => Promise<JudgeSetup<E>>): FuzzTarget {
  let s: JudgeSetup<E> | null = null;
  let baseline: Judged | null = null;
  return {
    name,
    corpus: async () => {
      s = await setup();
      baseline = await s.assess(s.genuine);
      // A judge over a baseline that is not proven would prove nothing.
      if (baseline.verdict !== 'verified' || baseline.authenticity !== 'proven')
        throw new Error(`${name}: the genuine session is ${baseline.verdict}/${baseline.authenticity}, not verified/proven`);
      if (s.fields.length > 255) throw new Error('too many fields');
      return s.fields.map((f, i) => Buffer.concat([Buffer.from([i]), f.genuine]));
    },
    run: async (input) => {
      if (!s || !baseline || input.length === 0) return;
      const f = s.fields[input[0]! % s.fields.length]!;
      const b = input.subarray(1);
      const unsignedOnly = b.equals(f.genuine) || f.signed === 'none' || (typeof f.signed === 'function' && sameParts(f.signed(b), f.signed(f.genuine)));
      let r: Judged;
      try {
        r = await s.assess(await f.put(s.genuine, Buffer.from(b)));
      } catch (e) {
        if (isKioskError(e)) return; // the read (or the verdict) refused the input
        throw e;
      }
      const proven = r.verdict === 'verified' || r.authenticity === 'proven';
      if (!unsignedOnly) {
        if (proven) throw new TamperedProven(`${name}/${f.name}: signed bytes changed but the result is ${r.verdict}/${r.authenticity}`);
        return;
      }
      if (r.verdict !== baseline.verdict && r.verdict !== 'refused')
        throw new TamperedProven(`${name}/${f.name}: unsigned bytes changed the verdict to ${r.verdict}`);
      if (r.verdict === 'verified' && r.identity !== baseline.identity)
        throw new TamperedProven(`${name}/${f.name}: verified with an identity that is not the signed one: ${r.identity.slice(0, 200)}`);
    },
  };
}

const trustOf = (der: Buffer) => new TrustStore([new X509Certificate(der)]);

const json = (x: unknown) =>
  JSON.stringify(x, (_k, v: unknown) =>
    v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('hex') : v,
  );

// ---------- My Number: JPKI 利用者証明 (challenge signature + certificate chain) ----------

function jpkiAuthJudge(): FuzzTarget {
  return judged<JpkiAuthEvidence>('judge-jpki-auth', async () => {
    const m = await recordMyNumber();
    const at = new Date();
    const trust = trustOf(m.authCaDer);
    return {
      genuine: m.jpkiAuth,
      fields: [
        { name: 'certificate', genuine: m.jpkiAuth.certificateDer, put: (ev, b) => ({ ...ev, certificateDer: b }), signed: certificateSignedParts },
        { name: 'challenge-signature', genuine: m.jpkiAuth.signature, put: (ev, b) => ({ ...ev, signature: b }), signed: 'all' },
        // The host's challenge is what the card signed: a different challenge under the old signature is a replay.
        { name: 'challenge', genuine: m.jpkiAuth.challenge, put: (ev, b) => ({ ...ev, challenge: b }), signed: 'all' },
      ],
      assess: async (ev) => {
        const r = await assessJpkiAuth(ev, { trust, revocation: goodRevocation, at });
        return { verdict: r.verdict, authenticity: r.authenticity, identity: json([r.certificate?.serialNumber, r.certificate?.issuer]) };
      },
    };
  });
}

// ---------- My Number: JPKI 署名用 (signature over the host's transaction digest + certificate chain) ----------

function jpkiSignJudge(): FuzzTarget {
  return judged<JpkiSignEvidence>('judge-jpki-sign', async () => {
    const m = await recordJpkiSign();
    const at = new Date();
    const trust = trustOf(m.signCaDer);
    return {
      genuine: m.jpkiSign,
      fields: [
        { name: 'certificate', genuine: m.jpkiSign.certificateDer, put: (ev, b) => ({ ...ev, certificateDer: b }), signed: certificateSignedParts },
        { name: 'data-signature', genuine: m.jpkiSign.signature, put: (ev, b) => ({ ...ev, signature: b }), signed: 'all' },
        // The digest of the host's transaction data is what the card signed: another digest under the old signature is a forgery.
        { name: 'data-digest', genuine: m.jpkiSign.dataDigest, put: (ev, b) => ({ ...ev, dataDigest: b }), signed: 'all' },
      ],
      assess: async (ev) => {
        const r = await assessJpkiSign(ev, { trust, revocation: goodRevocation, at });
        return { verdict: r.verdict, authenticity: r.authenticity, identity: json([r.certificate?.serialNumber, r.holder, r.dataSha256]) };
      },
    };
  });
}

// ---------- My Number: 券面事項入力補助AP (4 basic items: DF31 hash, DF33 signature, card key + challenge) ----------

function myNumberInfoJudge(): FuzzTarget {
  return judged<TextApEvidence>('judge-mynumber-info', async () => {
    const m = await recordMyNumber();
    const ev = m.text;
    const ch = ev.challenge!;
    const anchors = cvAnchors(m.cvTrust);
    return {
      genuine: ev,
      fields: [
        // docs/reference/mynumber.md §8.1: DF32 hashes FF20's value with the DF21 offset table skipped.
        { name: 'basic-info EF0002', genuine: ev.basicInfoEf, put: (e, b) => ({ ...e, basicInfoEf: b }), signed: templateParts(0xff20, { skip: [0xdf21] }) },
        // DF33 signs DF31 ‖ DF32 as written; the CV certificate's body is signed, 5F37 is the proof (§7).
        { name: 'signature EF0003', genuine: ev.signatureEf!, put: (e, b) => ({ ...e, signatureEf: b }), signed: templateParts(0xff30) },
        { name: 'cv-certificate EF0004', genuine: ev.cvCertificateEf!, put: (e, b) => ({ ...e, cvCertificateEf: b }), signed: templateParts(0x7f21) },
        { name: 'card-key EF0007', genuine: ev.cardKeyEf!, put: (e, b) => ({ ...e, cardKeyEf: b }), signed: templateParts(0xff50) },
        { name: 'challenge answer', genuine: ch.signature!, put: (e, b) => ({ ...e, challenge: { ...ch, signature: b } }), signed: 'all' },
        { name: 'challenge', genuine: ch.challenge, put: (e, b) => ({ ...e, challenge: { ...ch, challenge: b } }), signed: 'all' },
      ],
      assess: async (e) => {
        const r = assessMyNumberInfo(e, anchors);
        return { verdict: r.verdict, authenticity: r.authenticity, identity: json(r.holder) };
      },
    };
  });
}

// ---------- My Number: 券面AP (face, signed record DF28, card key + challenge) ----------

function myNumberFaceJudge(): FuzzTarget {
  return judged<VisualApEvidence>('judge-mynumber-face', async () => {
    const m = await recordMyNumber();
    const ev = m.visual;
    const ch = ev.challenge!;
    const anchors = cvAnchors(m.cvTrust);
    return {
      genuine: ev,
      fields: [
        // §8.2: DF28 covers DF22–DF27; DF21 (offsets), DF29 (expiry) and DF2A are outside it.
        { name: 'face EF0002', genuine: ev.faceEf, put: (e, b) => ({ ...e, faceEf: b }), signed: templateParts(0xff20, { skip: [0xdf21], until: 0xdf28 }) },
        { name: 'cv-certificate EF0004', genuine: ev.cvCertificateEf!, put: (e, b) => ({ ...e, cvCertificateEf: b }), signed: templateParts(0x7f21) },
        { name: 'challenge answer', genuine: ch.signature!, put: (e, b) => ({ ...e, challenge: { ...ch, signature: b } }), signed: 'all' },
        { name: 'challenge', genuine: ch.challenge, put: (e, b) => ({ ...e, challenge: { ...ch, challenge: b } }), signed: 'all' },
      ],
      assess: async (e) => {
        const r = await assessMyNumberFace(e, noJp2Decoder, anchors);
        // The expiry (DF29) is outside DF28's coverage by design (checks['expiry-signed'] = 'no').
        return { verdict: r.verdict, authenticity: r.authenticity, identity: json([r.dateOfBirth, r.sex]) };
      },
    };
  });
}

// ---------- Driver's licence (EF07 signature) ----------

function licenseJudge(): FuzzTarget {
  return judged<LicenseEvidence>('judge-license', async () => {
    const l = await recordLicense();
    const files = l.evidence.files!;
    const at = new Date();
    const trust = trustOf(l.trustDer);
    const put =
      (k: keyof LicenseFiles) =>
      (e: LicenseEvidence, b: Buffer): LicenseEvidence => ({ ...e, files: { ...e.files!, [k]: b } });
    // EF07 signs DF1/EF01 ‖ DF1/EF02 ‖ DF2/EF01 on the virtual card (the libjeid layout, docs/reference/license.md
    // §10); EF03 (external characters) is in other candidate layouts only, EF04–EF06 in none.
    const signedFiles: (keyof LicenseFiles)[] = ['matters', 'honseki', 'photo'];
    const fields: Field<LicenseEvidence>[] = (Object.keys(files) as (keyof LicenseFiles)[])
      .filter((k) => files[k])
      .map((k) => ({ name: k, genuine: files[k]!, put: put(k), signed: k === 'signature' ? firstValue : signedFiles.includes(k) ? 'all' : 'none' }));
    return {
      genuine: l.evidence,
      fields,
      assess: async (e) => {
        const r = await assessLicense(e, { at, trust, photoConverter: null });
        return { verdict: r.verdict, authenticity: r.authenticity, identity: json(r.matters) };
      },
    };
  });
}

// ---------- Residence card (issuer signature over DF1, certificate in DF3) ----------

const DF1_SIGNED: Record<1 | 2, Record<number, Field<ResidenceEvidence>['signed']>> = {
  1: { 5: paddedValues([{ tag: 0xd0, size: 7000 }]), 6: paddedValues([{ tag: 0xd1, size: 3000 }]) },
  2: {
    3: paddedValues({ concat: 53 }),
    4: paddedValues([
      { tag: 0xd1, size: 3000 },
      { tag: 0xd0, size: 2500 },
    ]),
  },
};

function residenceJudge(generation: 1 | 2): FuzzTarget {
  return judged<ResidenceEvidence>(`judge-residence-gen${generation}`, async () => {
    const { evidence: ev, trustDer } = await recordResidence(generation);
    const trust = trustOf(trustDer);
    const at = new Date();
    const check = generation === 1 ? { value: [0xda], certificate: [0xdb] } : { value: [0xdc], certificate: [0xdd] };
    const fields: Field<ResidenceEvidence>[] = [
      // docs/reference/residence.md "Issuer signature": values only, images right-padded with 00 to their fixed sizes.
      ...[...ev.df1].map(
        ([sfi, b]): Field<ResidenceEvidence> => ({
          name: `DF1 SFI ${sfi}`,
          genuine: b,
          put: (e, x) => ({ ...e, df1: new Map(e.df1).set(sfi, x) }),
          signed: DF1_SIGNED[generation][sfi] ?? 'all',
        }),
      ),
      // DF2 (address, permissions) is outside the issuer signature on both generations.
      ...[...ev.df2].map(
        ([sfi, b]): Field<ResidenceEvidence> => ({
          name: `DF2 SFI ${sfi}`,
          genuine: b,
          put: (e, x) => ({ ...e, df2: new Map(e.df2).set(sfi, x) }),
          signed: 'none',
        }),
      ),
      { name: 'DF3 check code', genuine: ev.df3, put: (e, x) => ({ ...e, df3: x }), signed: tlvFileParts(check) },
    ];
    return {
      genuine: ev,
      fields,
      assess: async (e) => {
        const { result: r } = assessResidence(e, { trust, at });
        return { verdict: r.verdict, authenticity: r.authenticity, identity: json([r.printed, r.kind]) };
      },
    };
  });
}

// ---------- Passport (SOD signature + DG hashes + DSC chain, Active Authentication) ----------

interface PassportRaw {
  sod: Buffer;
  dgs: Map<number, Buffer>;
  aaResponse: Buffer | null;
}

function passportJudge(): FuzzTarget {
  return judged<PassportRaw>('judge-passport', async () => {
    const p = await recordPassport();
    const at = new Date();
    const aa = p.aa;
    const csca = new CscaStore([new X509Certificate(p.cscaDer)]);
    const fake = (data: Buffer) => ({ send: async () => ({ data, sw: 0x9000 }) }) as unknown as SecureChannel;
    // The evidence as readPassport derives it from the files (passport-read.ts), CA's outcome kept from the
    // genuine session: chip authentication's proof is the SM MAC under its keys (judge-passport-sm).
    const evidence = async (raw: PassportRaw): Promise<PassportEvidence> => {
      const dg = (n: number) => raw.dgs.get(n) ?? null;
      let aaAlgorithm: string | null = null;
      if (dg(14)) aaAlgorithm = parseSecurityInfos(dg14Set(dg(14)!)).aaSignatureAlgorithm;
      return {
        ...p.evidence,
        sod: raw.sod,
        dataGroups: raw.dgs,
        dg1: parseDg1(dg(1)!),
        face: dg(2) ? parseDg2(dg(2)!) : null,
        dg11: dg(11) ? parseTextDg(dg(11)!, 0x6b) : null,
        dg12: dg(12) ? parseTextDg(dg(12)!, 0x6c) : null,
        sodListed: sodDataGroupNumbers(raw.sod),
        aa:
          dg(15) && aa && raw.aaResponse
            ? await activeAuthentication(fake(raw.aaResponse), parseDg15(dg(15)!), aaAlgorithm, Buffer.from(aa.challenge))
            : p.evidence.aa,
      };
    };
    const genuine: PassportRaw = { sod: p.evidence.sod, dgs: p.evidence.dataGroups, aaResponse: aa?.response ?? null };
    const fields: Field<PassportRaw>[] = [
      { name: 'EF.SOD', genuine: genuine.sod, put: (r, b) => ({ ...r, sod: b }), signed: signedDataSignedParts },
      ...[...genuine.dgs].map(
        ([n, b]): Field<PassportRaw> => ({ name: `DG${n}`, genuine: b, put: (r, x) => ({ ...r, dgs: new Map(r.dgs).set(n, x) }), signed: 'all' }),
      ),
    ];
    if (aa) fields.push({ name: 'AA answer', genuine: aa.response, put: (r, b) => ({ ...r, aaResponse: b }), signed: 'all' });
    return {
      genuine,
      fields,
      assess: async (raw) => {
        const r = await assessPassport(await evidence(raw), { csca, at });
        return { verdict: r.verdict, authenticity: r.authenticity, identity: json(r.dg1) };
      },
    };
  });
}

/**
 * Secure-messaging answers (ICAO 9303-11 §9.8): a recorded protected response, mutated, checked again under
 * the keys and SSC it was genuinely checked under. Accepted ⇒ it must yield exactly the genuine data and
 * status (the MAC covers DO85/87 and DO99). Chip authentication stands on this: its proof is the first
 * answer that verifies under the new keys.
 */
function passportSmJudge(): FuzzTarget {
  let ex: Awaited<ReturnType<typeof recordPassport>>['sm'] = [];
  return {
    name: 'judge-passport-sm',
    corpus: async () => {
      ex = (await recordPassport()).sm;
      return ex.map((x, i) => Buffer.concat([Buffer.from([i]), x.raw]));
    },
    run: (input) => {
      if (input.length === 0) return;
      const x = ex[input[0]! % ex.length]!;
      // The SSC as it stood before the genuine check (unprotect increments it, as it did then).
      const sm = new SecureMessaging(x.keys, x.ssc);
      const plain = sm.unprotect({ data: input.subarray(1), sw: x.sw });
      if (!plain.data.equals(x.plain.data) || plain.sw !== x.plain.sw) {
        throw new TamperedProven(`judge-passport-sm: a mutated answer passed the MAC check with other content (sw ${plain.sw.toString(16)})`);
      }
    },
  };
}

export const JUDGE_TARGETS: Record<string, () => FuzzTarget> = {
  'judge-jpki-auth': jpkiAuthJudge,
  'judge-jpki-sign': jpkiSignJudge,
  'judge-mynumber-info': myNumberInfoJudge,
  'judge-mynumber-face': myNumberFaceJudge,
  'judge-license': licenseJudge,
  'judge-residence-gen1': () => residenceJudge(1),
  'judge-residence-gen2': () => residenceJudge(2),
  'judge-passport': passportJudge,
  'judge-passport-sm': passportSmJudge,
};
