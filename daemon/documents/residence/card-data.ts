// What the residence card files mean (docs/reference/residence.md "File map", "Tags"), from raw file
// contents to fields, and the exact byte strings the issuer signature covers ("Issuer signature"), including
// the card's kind as the signed data states it. Pure functions: no card, no I/O.
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import {
  GEN1_FACE_PAD,
  GEN1_FRONT_PAD,
  GEN2_FACE_PAD,
  GEN2_NAME_PAD,
  GEN2_PRINTED_FIELDS,
  GEN2_PRINTED_LENGTH,
  GEN2_SPR_PRINTED_LENGTH,
  RESIDENCE_TLV,
  type ResidenceKind,
} from './constants.ts';
import { uniqueTags } from '../../encoding/ber-tlv.ts';

const malformed = (msg: string) => new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, msg);

function required(m: Map<number, Buffer>, tag: number, what: string): Buffer {
  const v = m.get(tag);
  if (!v) throw malformed(`${what}: tag ${tag.toString(16).toUpperCase()} missing`);
  return v;
}

/** Text values are UTF-8 (2nd gen) and may be padded with NUL or spaces; invalid UTF-8 is a malformed file. */
const text = (b: Buffer | undefined): string | null => {
  if (!b) return null;
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(b).replace(/[\0 ]+$/u, '');
  } catch {
    // TextDecoder's TypeError would escape as an untyped crash (found by fuzzing, issue 17).
    throw malformed('DF2 text entry is not valid UTF-8');
  }
  return s === '' ? null : s;
};

/** Shift_JIS-family text of the 1st gen DF2 (cp932 covers the common range; JIS X 0213 extras become U+FFFD). */
const sjis = (b: Buffer | undefined): string | null => {
  if (!b) return null;
  const s = new TextDecoder('shift_jis').decode(b).replace(/[\0 \u3000]+$/u, '');
  return s === '' ? null : s;
};

// ---------- 2nd generation ----------

/** The printed entries of DF1/EF02, in file order (the order matters for the signature). */
export interface Gen2Printed {
  cardExpiry: string | null; // C5 YYYYMMDD
  dateOfBirth: string | null; // C6 YYYYMMDD
  sex: string | null; // C7 1/2/3
  nationality: string | null; // C8
  statusOfResidence: string | null; // C9 code
  periodOfStay: string | null; // CE YYMM / DDD / 0000
  permissionType: string | null; // CA
  permissionDate: string | null; // CB YYYYMMDD
  workRestriction: string | null; // CC 1/2/4/9
  periodOfStayExpiry: string | null; // CD YYYYMMDD
}

export interface Gen2Parsed {
  printed: Gen2Printed;
  /** TLV values of DF1/EF02 concatenated in file order and NUL-padded to 53 bytes: the signed prefix. */
  printedSigned: Buffer;
  /** Which printed-entry layout DF1/EF02 has: ten entries (residence card) or six (SPR certificate). */
  layout: ResidenceKind;
  nameImage: Buffer;
  face: Buffer;
}

/**
 * DF1/EF02 must hold exactly the spec's entries, in order and at their fixed lengths (constants.ts
 * GEN2_PRINTED_FIELDS): the signature covers the values only, so the TLV boundaries are what tie a signed
 * byte to its field. Ten entries = the residence-card layout, the first six = the SPR layout.
 */
function printedLayout(entries: { tag: number; value: Buffer }[]): ResidenceKind {
  const layout =
    entries.length === GEN2_PRINTED_FIELDS.length
      ? 'residence-card'
      : entries.length === GEN2_PRINTED_FIELDS.filter((f) => !f.residenceOnly).length
        ? 'special-permanent-resident'
        : null;
  if (!layout) throw malformed(`DF1/EF02: ${entries.length} printed entries (the specification has 10 on a residence card, 6 on an SPR certificate)`);
  entries.forEach((e, i) => {
    const f = GEN2_PRINTED_FIELDS[i];
    if (!f) throw malformed(`DF1/EF02: entry ${i + 1} is beyond the specification's printed fields`);
    if (e.tag !== f.tag || e.value.length !== f.length) {
      throw malformed(
        `DF1/EF02: entry ${i + 1} is ${e.tag.toString(16).toUpperCase()} of ${e.value.length} bytes, the specification has ${f.tag.toString(16).toUpperCase()} of ${f.length}`,
      );
    }
  });
  return layout;
}

export function parseGen2Df1(ef02: Buffer, ef03: Buffer): Gen2Parsed {
  const entries = RESIDENCE_TLV.all(ef02, 'DF1/EF02');
  const layout = printedLayout(entries);
  const m = uniqueTags(entries, 'DF1/EF02');
  const concatenated = Buffer.concat(entries.map((t) => t.value));
  const printedSigned = Buffer.alloc(GEN2_PRINTED_LENGTH);
  concatenated.copy(printedSigned);
  let printed: Gen2Printed;
  try {
    printed = {
      cardExpiry: text(required(m, 0xc5, 'DF1/EF02')),
      dateOfBirth: text(m.get(0xc6)),
      sex: text(m.get(0xc7)),
      nationality: text(m.get(0xc8)),
      statusOfResidence: text(m.get(0xc9)),
      periodOfStay: text(m.get(0xce)),
      permissionType: text(m.get(0xca)),
      permissionDate: text(m.get(0xcb)),
      workRestriction: text(m.get(0xcc)),
      periodOfStayExpiry: text(m.get(0xcd)),
    };
  } catch (e) {
    if (e instanceof KioskError) throw e;
    throw malformed('DF1/EF02: text is not UTF-8');
  }
  const images = uniqueTags(RESIDENCE_TLV.all(ef03, 'DF1/EF03'), 'DF1/EF03');
  const nameImage = required(images, 0xd0, 'DF1/EF03');
  const face = required(images, 0xd1, 'DF1/EF03');
  if (nameImage.length > GEN2_NAME_PAD) throw malformed(`name image of ${nameImage.length} bytes (max ${GEN2_NAME_PAD})`);
  if (face.length > GEN2_FACE_PAD) throw malformed(`face image of ${face.length} bytes (max ${GEN2_FACE_PAD})`);
  return { printed, printedSigned, layout, nameImage, face };
}

/**
 * The card's kind as the issuer signed it. The card type (MF/EF02 C1) is outside the signature; the signed
 * printed entries are not: an SPR certificate's 34 bytes of entries are followed by 19 bytes of 00 in the
 * signed 53, a residence card's bytes 34–52 are its permission type, permission date, work restriction and
 * period-of-stay expiry (ASCII, never 00). Decided on the signed bytes, not on the TLV layout the card
 * presents, so a re-split of genuine signed data cannot change it.
 */
export function signedKindGen2(printedSigned: Buffer): ResidenceKind {
  if (printedSigned.length !== GEN2_PRINTED_LENGTH)
    throw malformed(`signed printed entries of ${printedSigned.length} bytes (expected ${GEN2_PRINTED_LENGTH})`);
  return printedSigned.subarray(GEN2_SPR_PRINTED_LENGTH).every((b) => b === 0) ? 'special-permanent-resident' : 'residence-card';
}

export interface Gen2Df2 {
  comprehensivePermission: string | null; // D5
  comprehensivePermissionExpiry: string | null; // D6
  individualPermission: string | null; // D7
  renewalApplication: string | null; // D8
}

export function parseGen2Df2(ef01: Buffer | null, ef02: Buffer | null): Gen2Df2 {
  const a = ef01 ? uniqueTags(RESIDENCE_TLV.all(ef01, 'DF2/EF01'), 'DF2/EF01') : new Map<number, Buffer>();
  const b = ef02 ? uniqueTags(RESIDENCE_TLV.all(ef02, 'DF2/EF02'), 'DF2/EF02') : new Map<number, Buffer>();
  return {
    comprehensivePermission: text(a.get(0xd5)),
    comprehensivePermissionExpiry: text(a.get(0xd6)),
    individualPermission: text(a.get(0xd7)),
    renewalApplication: text(b.get(0xd8)),
  };
}

/**
 * Printed entries (53) ‖ face D1 right-padded with 00 to 3000 ‖ name image D0 right-padded to 2500. The
 * padding to the fields' fixed sizes is what the public reader that verifies real cards does
 * (eringoio/zairyu-card-reader reader/signature/rc_signature.py); the Appendix 2 example card stores both
 * images at full length (D0 82 09 C4, D1 82 0B B8), where padding changes nothing.
 */
export function gen2SignedData(p: Gen2Parsed): Buffer {
  const out = Buffer.alloc(GEN2_PRINTED_LENGTH + GEN2_FACE_PAD + GEN2_NAME_PAD);
  p.printedSigned.copy(out, 0);
  p.face.copy(out, GEN2_PRINTED_LENGTH);
  p.nameImage.copy(out, GEN2_PRINTED_LENGTH + GEN2_FACE_PAD);
  return out;
}

// ---------- 1st generation ----------

export interface Gen1Parsed {
  frontImage: Buffer; // D0, MMR TIFF
  face: Buffer; // D1, JPEG 2000
}

export function parseGen1Df1(front: Buffer, face: Buffer): Gen1Parsed {
  const f = uniqueTags(RESIDENCE_TLV.all(front, 'DF1/EF05'), 'DF1/EF05');
  const p = uniqueTags(RESIDENCE_TLV.all(face, 'DF1/EF06'), 'DF1/EF06');
  const frontImage = required(f, 0xd0, 'DF1/EF05');
  const faceImage = required(p, 0xd1, 'DF1/EF06');
  if (frontImage.length > GEN1_FRONT_PAD) throw malformed(`front image of ${frontImage.length} bytes (max ${GEN1_FRONT_PAD})`);
  if (faceImage.length > GEN1_FACE_PAD) throw malformed(`face image of ${faceImage.length} bytes (max ${GEN1_FACE_PAD})`);
  return { frontImage, face: faceImage };
}

export interface Gen1Df2 {
  addressWrittenOn: string | null; // D2
  municipalityCode: string | null; // D3
  address: string | null; // D4
  comprehensivePermission: string | null; // D5
  individualPermission: string | null; // D6
  renewalApplication: string | null; // D7
}

export function parseGen1Df2(files: { address: Buffer | null; comprehensive: Buffer | null; individual: Buffer | null; renewal: Buffer | null }): Gen1Df2 {
  const m = (b: Buffer | null, what: string) => (b ? uniqueTags(RESIDENCE_TLV.all(b, what), what) : new Map<number, Buffer>());
  const a = m(files.address, 'DF2/EF01');
  return {
    addressWrittenOn: sjis(a.get(0xd2)),
    municipalityCode: sjis(a.get(0xd3)),
    address: sjis(a.get(0xd4)),
    comprehensivePermission: sjis(m(files.comprehensive, 'DF2/EF02').get(0xd5)),
    individualPermission: sjis(m(files.individual, 'DF2/EF03').get(0xd6)),
    renewalApplication: sjis(m(files.renewal, 'DF2/EF04').get(0xd7)),
  };
}

/** Front image right-padded with 00 to 7000 ‖ face right-padded to 3000 (values only). */
export function gen1SignedData(p: Gen1Parsed): Buffer {
  const out = Buffer.alloc(GEN1_FRONT_PAD + GEN1_FACE_PAD);
  p.frontImage.copy(out, 0);
  p.face.copy(out, GEN1_FRONT_PAD);
  return out;
}

// ---------- DF3: check code + certificate ----------

export interface CheckCode {
  signature: Buffer;
  certificateDer: Buffer;
}

export function parseCheckCode(file: Buffer, generation: 1 | 2): CheckCode {
  const [sigTag, certTag] = generation === 1 ? [0xda, 0xdb] : [0xdc, 0xdd];
  const what = generation === 1 ? 'DF3 check code' : 'DF3/EF01';
  const m = uniqueTags(RESIDENCE_TLV.all(file, what), what);
  return { signature: required(m, sigTag, what), certificateDer: required(m, certTag, what) };
}
