// Fuzz targets for every document's card files, secure-messaging answers, the MRZ and the TLV readers.
// Each target feeds one input to every parser of its family (a file mutated into another file's shape is
// still card input), seeded with what the virtual cards actually served (recorded.ts) plus public real-card
// data where the project has it. Judge: each parser answers with a value or a KioskError; anything else
// escaping is a crash, reported with the parser's name.
import { readFileSync } from 'node:fs';
import { isKioskError } from '../../core/errors.ts';
import { parseCommonData, parsePinSetting } from '../../daemon/documents/license/common-data.ts';
import { parseChangeRecords } from '../../daemon/documents/license/changes.ts';
import { parseChangedGaijiFile, parseGaijiFile } from '../../daemon/documents/license/gaiji.ts';
import { decodeJisX0201, decodeJisX0208 } from '../../daemon/documents/license/jis.ts';
import { parseMatters } from '../../daemon/documents/license/matters.ts';
import { extractPhoto } from '../../daemon/documents/license/photo.ts';
import { parseDigestInfo, parseEf07 } from '../../daemon/documents/license/signature.ts';
import { LICENSE_TLV } from '../../daemon/documents/license/constants.ts';
import { parseBasicInfo, parseSignatureFile } from '../../daemon/documents/mynumber/basic-info.ts';
import { parseFaceSignedRecord, parseTextApSignedRecord } from '../../daemon/documents/mynumber/card-ap-signatures.ts';
import { parseSignedCardKey } from '../../daemon/documents/mynumber/card-challenge.ts';
import { checkCvCertificateEf, parseCardRsaKey, parseCvCertificate } from '../../daemon/documents/mynumber/cv-certificate.ts';
import { jpkiSignAttributes } from '../../daemon/documents/mynumber/jpki-sign-san.ts';
import { cvAnchors } from '../../daemon/documents/mynumber/cv-anchors.ts';
import { parseVisualAp } from '../../daemon/documents/mynumber/visual-ap-data.ts';
import { dg14Set, parseDg1, parseDg15, parseDg2, parseEfCom, parseTextDg } from '../../daemon/documents/passport/datagroups/data-groups.ts';
import { parseSignedData } from '../../daemon/documents/passport/pki/cms.ts';
import { accessKeyFromMrzText, parseMrz } from '../../daemon/documents/passport/datagroups/mrz.ts';
import { MrzScanAssembler } from '../../daemon/documents/passport/datagroups/mrz-scan.ts';
import { ldsSecurityObjectOf, sodDataGroupNumbers } from '../../daemon/documents/passport/pki/passive-auth.ts';
import { parseSecurityInfos } from '../../daemon/documents/passport/datagroups/security-infos.ts';
import { CARD_BER, readAll, readTlv, uniqueTags } from '../../daemon/encoding/ber-tlv.ts';
import { GEN1_SUITE, GEN2_SUITE, openSmData } from '../../daemon/documents/residence/access-crypto.ts';
import { parseCheckCode, parseGen1Df1, parseGen1Df2, parseGen2Df1, parseGen2Df2, signedKindGen2 } from '../../daemon/documents/residence/card-data.ts';
import { RESIDENCE_TLV } from '../../daemon/documents/residence/constants.ts';
import { DerReader } from '../../daemon/trust/crl/der.ts';
import { parseResponse } from '../../daemon/trust/ocsp/ocsp-message.ts';
import type { FuzzTarget } from './engine.ts';
import { recordJpkiSign, recordLicense, recordMyNumber, recordPassport, recordResidence } from './recorded.ts';

type Parser = readonly [name: string, run: (b: Buffer) => unknown];

/** Runs every parser on the input; a parser's KioskError is an answer, anything else a crash (named). */
function family(name: string, corpus: () => Promise<Buffer[]>, parsers: () => Promise<readonly Parser[]> | readonly Parser[]): FuzzTarget {
  let ps: readonly Parser[] = [];
  return {
    name,
    corpus: async () => {
      ps = await parsers();
      return (await corpus()).filter((b) => b.length > 0);
    },
    run: (input) => {
      for (const [p, f] of ps) {
        try {
          f(input);
        } catch (e) {
          if (isKioskError(e)) continue;
          const err = e instanceof Error ? e : new Error(String(e));
          throw new Error(`${p}: ${err.name}: ${err.message}`, { cause: e });
        }
      }
    },
  };
}

const present = (...bs: (Buffer | null | undefined)[]) => bs.filter((b): b is Buffer => !!b);
/** Response APDUs without their status word (what the card's files and answers look like on the wire). */
const bodies = (responses: Buffer[]) => responses.filter((r) => r.length > 2).map((r) => r.subarray(0, r.length - 2));
const fixture = (path: string) => Buffer.from(readFileSync(new URL(path, import.meta.url), 'utf8').replace(/\s+/g, ''), 'hex');

// ---------- My Number: JPKI, 券面事項入力補助AP, 券面AP ----------

function myNumberFiles(): FuzzTarget {
  return family(
    'mynumber-files',
    async () => {
      const m = await recordMyNumber();
      const sign = (await recordJpkiSign()).jpkiSign;
      return [
        ...present(
          m.text.basicInfoEf,
          m.text.signatureEf,
          m.text.cvCertificateEf,
          m.text.cardKeyEf,
          m.visual.faceEf,
          m.visual.cvCertificateEf,
          m.jpkiAuth.certificateDer,
          m.jpkiAuth.cardCaCertificateDer,
        ),
        // The 署名用 certificate carries the holder attributes jpkiSignAttributes reads (the 利用者証明用 one has none).
        ...present(sign.certificateDer, sign.cardCaCertificateDer),
        // EF 0002 of a JPKI test card (soltia48/myna-card, MIT; test/fixtures/mynumber/NOTICE): real-card bytes.
        fixture('../fixtures/mynumber/jpki-test-card-text-ef0002.hex'),
      ];
    },
    async () => {
      const anchors = cvAnchors((await recordMyNumber()).cvTrust);
      return [
        ['parseBasicInfo', parseBasicInfo],
        ['parseSignatureFile', parseSignatureFile],
        ['parseTextApSignedRecord', parseTextApSignedRecord],
        ['parseFaceSignedRecord', parseFaceSignedRecord],
        ['parseSignedCardKey', parseSignedCardKey],
        ['parseCvCertificate', (b) => parseCvCertificate(b)],
        ['checkCvCertificateEf', (b) => checkCvCertificateEf(b, anchors)],
        ['parseCardRsaKey', (b) => parseCardRsaKey(b, 'fuzz')],
        ['parseVisualAp', parseVisualAp],
        ['jpkiSignAttributes', jpkiSignAttributes],
      ];
    },
  );
}

// ---------- Driver's licence ----------

function licenseFiles(): FuzzTarget {
  return family(
    'license-files',
    async () => {
      const l = await recordLicense();
      const f = l.evidence.files!;
      return [
        ...present(f.matters, f.gaiji, f.changes, f.changedGaiji, f.signature, f.honseki, f.honsekiChanges, f.photo),
        ...bodies(l.responses).filter((b) => b.length < 64),
      ];
    },
    () => [
      ['parseCommonData', parseCommonData],
      ['parsePinSetting', parsePinSetting],
      ['parseMatters', parseMatters],
      ['parseChangeRecords EF04', (b) => parseChangeRecords(b, 'fuzz', 'EF04')],
      ['parseChangeRecords EF06', (b) => parseChangeRecords(b, 'fuzz', 'EF06')],
      ['parseGaijiFile', parseGaijiFile],
      ['parseChangedGaijiFile', parseChangedGaijiFile],
      ['decodeJisX0208', decodeJisX0208],
      ['decodeJisX0201', decodeJisX0201],
      ['extractPhoto', extractPhoto],
      ['parseEf07', parseEf07],
      ['parseDigestInfo', parseDigestInfo],
    ],
  );
}

// ---------- Residence card (both generations): files and SM answers ----------

function residenceFiles(): FuzzTarget {
  return family(
    'residence-files',
    async () => {
      const out: Buffer[] = [];
      for (const g of [1, 2] as const) {
        const { evidence: e } = await recordResidence(g);
        out.push(...e.df1.values(), ...e.df2.values(), e.df3);
      }
      return out;
    },
    async () => {
      const g1 = (await recordResidence(1)).evidence;
      const g2 = (await recordResidence(2)).evidence;
      const [front, face] = [g1.df1.get(5)!, g1.df1.get(6)!];
      const [printed, image] = [g2.df1.get(3)!, g2.df1.get(4)!];
      return [
        ['parseGen1Df1 front', (b) => parseGen1Df1(b, face)],
        ['parseGen1Df1 face', (b) => parseGen1Df1(front, b)],
        ['parseGen1Df2', (b) => parseGen1Df2({ address: b, comprehensive: b, individual: b, renewal: b })],
        ['parseGen2Df1 printed', (b) => parseGen2Df1(b, image)],
        ['parseGen2Df1 images', (b) => parseGen2Df1(printed, b)],
        ['parseGen2Df2', (b) => parseGen2Df2(b, b)],
        ['signedKindGen2', signedKindGen2],
        ['parseCheckCode gen1', (b) => parseCheckCode(b, 1)],
        ['parseCheckCode gen2', (b) => parseCheckCode(b, 2)],
      ];
    },
  );
}

/**
 * The residence card's SM answer (`86 L 01 ‖ ciphertext`, docs/reference/residence.md): parsed and
 * decrypted as card-access.ts does, under a fixed session key in both cipher suites. The answer carries no
 * MAC (the specification's SM is encryption only), so the judge here is crash-only; the data it yields is
 * covered by the issuer signature, which the residence judge tampers with.
 */
function residenceSm(): FuzzTarget {
  const ks = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  return family(
    'residence-sm',
    async () => {
      const out: Buffer[] = [];
      for (const g of [1, 2] as const)
        out.push(
          ...bodies((await recordResidence(g)).responses)
            .filter((b) => b[0] === 0x86)
            .map((b) => b.subarray(0, 600)),
        );
      return out;
    },
    () =>
      [GEN1_SUITE, GEN2_SUITE].map(
        (suite, i) =>
          [
            `smOpen gen${i + 1}`,
            (b: Buffer) => {
              const dos = RESIDENCE_TLV.all(b, 'fuzz SM answer');
              const d86 = dos.length === 1 && dos[0]!.tag === 0x86 ? dos[0]!.value : null;
              if (d86 && d86[0] === 0x01) openSmData(suite, ks, d86.subarray(1));
            },
          ] as const,
      ),
  );
}

// ---------- Passport ----------

function passportFiles(): FuzzTarget {
  return family(
    'passport-files',
    async () => {
      const p = await recordPassport();
      return [...p.evidence.dataGroups.values(), p.evidence.sod, ...present(p.cardAccess), ...p.sm.map((x) => x.plain.data).filter((b) => b.length > 0)];
    },
    () => [
      ['parseEfCom', parseEfCom],
      ['parseDg1', parseDg1],
      ['parseDg2', parseDg2],
      ['parseTextDg DG11', (b) => parseTextDg(b, 0x6b)],
      ['parseTextDg DG12', (b) => parseTextDg(b, 0x6c)],
      ['parseDg15', parseDg15],
      ['DG14 SecurityInfos', (b) => parseSecurityInfos(dg14Set(b))],
      ['CardAccess SecurityInfos', (b) => parseSecurityInfos(b)],
      ['parseSignedData + LDS security object', (b) => ldsSecurityObjectOf(parseSignedData(b))],
      ['sodDataGroupNumbers', sodDataGroupNumbers],
    ],
  );
}

// ---------- MRZ (OCR / scanner text) ----------

function mrzTarget(): FuzzTarget {
  return family(
    'mrz',
    async () => {
      const p = await recordPassport();
      const dg1 = p.evidence.dataGroups.get(1)!;
      const text = dg1.subarray(5).toString('latin1'); // 61 L 5F1F L ‖ MRZ
      return [
        text,
        // ICAO 9303-11 Appendix D.2 (TD3) and 9303-5 (TD1) specimen MRZs: public worked examples.
        'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10',
        'I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<',
        'I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<8',
      ].map((s) => Buffer.from(s, 'latin1'));
    },
    () => [
      ['parseMrz', (b) => parseMrz(b.toString('latin1').replace(/\n/g, ''))],
      ['accessKeyFromMrzText', (b) => accessKeyFromMrzText(b.toString('latin1'))],
      [
        'MrzScanAssembler',
        (b) => {
          const a = new MrzScanAssembler({ now: () => 0 });
          for (const piece of b.toString('latin1').split(/(?<=\n)/)) a.push(piece);
        },
      ],
    ],
  );
}

// ---------- The one TLV reader under every document's rules (daemon/encoding/ber-tlv.ts) ----------

function tlvTarget(): FuzzTarget {
  return family(
    'tlv',
    async () => {
      const m = await recordMyNumber();
      const l = await recordLicense();
      const p = await recordPassport();
      const r = await recordResidence(2);
      return [
        ...present(m.text.basicInfoEf, m.text.cardKeyEf, m.text.cvCertificateEf),
        ...present(l.evidence.files!.matters, l.evidence.files!.signature),
        p.evidence.sod.subarray(0, 400),
        ...present(p.evidence.dataGroups.get(14)),
        ...p.sm.map((x) => x.raw),
        r.evidence.df3,
        r.evidence.df1.get(3)!,
      ];
    },
    () => [
      ['passport readTlv', (b) => readTlv(b)],
      ['passport readAll', (b) => readAll(b)],
      ['mynumber readTlvs', (b) => CARD_BER.all(b, 'fuzz')],
      ['mynumber readTlvs padded', (b) => CARD_BER.all(b, 'fuzz', 0, b.length, 'trailing')],
      ['license parseLicenseTlvs', (b) => LICENSE_TLV.all(b, 'fuzz')],
      ['residence parseTlvs + tlvMap', (b) => uniqueTags(RESIDENCE_TLV.all(b, 'fuzz'), 'fuzz')],
      ['CRL DER reader', (b) => new DerReader(b).read()],
      ['OCSP response reader', (b) => parseResponse(b)],
    ],
  );
}

export const DOCUMENT_TARGETS: Record<string, () => FuzzTarget> = {
  'mynumber-files': myNumberFiles,
  'license-files': licenseFiles,
  'residence-files': residenceFiles,
  'residence-sm': residenceSm,
  'passport-files': passportFiles,
  mrz: mrzTarget,
  tlv: tlvTarget,
};
