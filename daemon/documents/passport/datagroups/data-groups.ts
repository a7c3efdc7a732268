// LDS data-group content (ICAO 9303-10 §4.6–4.7): EF.COM's tag list, DG1's MRZ, DG2's face image
// (ISO 19794-5 record inside the biometric templates), DG11/DG12 text fields, DG15's public key.
import { ErrorCodes, KioskError } from '../../../../core/errors.ts';
import { parseMrz, type MrzFields } from './mrz.ts';
import { children, find, need, readAll, readTlv, type Tlv } from '../../../encoding/ber-tlv.ts';

/** Data-group number ↔ LDS tag ↔ FID. */
export const DATA_GROUPS: ReadonlyArray<{ dg: number; tag: number; fid: number }> = [
  { dg: 1, tag: 0x61, fid: 0x0101 },
  { dg: 2, tag: 0x75, fid: 0x0102 },
  { dg: 3, tag: 0x63, fid: 0x0103 },
  { dg: 4, tag: 0x76, fid: 0x0104 },
  { dg: 5, tag: 0x65, fid: 0x0105 },
  { dg: 6, tag: 0x66, fid: 0x0106 },
  { dg: 7, tag: 0x67, fid: 0x0107 },
  { dg: 8, tag: 0x68, fid: 0x0108 },
  { dg: 9, tag: 0x69, fid: 0x0109 },
  { dg: 10, tag: 0x6a, fid: 0x010a },
  { dg: 11, tag: 0x6b, fid: 0x010b },
  { dg: 12, tag: 0x6c, fid: 0x010c },
  { dg: 13, tag: 0x6d, fid: 0x010d },
  { dg: 14, tag: 0x6e, fid: 0x010e },
  { dg: 15, tag: 0x6f, fid: 0x010f },
  { dg: 16, tag: 0x70, fid: 0x0110 },
];

const malformed = (msg: string) => new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, msg);

function outer(file: Buffer, tag: number, what: string): Tlv {
  const t = readTlv(file);
  if (t.tag !== tag) throw malformed(`${what}: tag ${t.tag.toString(16)} instead of ${tag.toString(16)}`);
  return t;
}

export interface EfCom {
  ldsVersion: string | null;
  unicodeVersion: string | null;
  /** Data-group numbers present, from the tag list. */
  dataGroups: number[];
}

export function parseEfCom(file: Buffer): EfCom {
  const items = children(outer(file, 0x60, 'EF.COM'));
  const list = need(items, 0x5c, 'EF.COM').value;
  const dataGroups = [...list].map((tag) => DATA_GROUPS.find((d) => d.tag === tag)?.dg).filter((n): n is number => n !== undefined);
  return {
    ldsVersion: find(items, 0x5f01)?.value.toString('latin1') ?? null,
    unicodeVersion: find(items, 0x5f36)?.value.toString('latin1') ?? null,
    dataGroups,
  };
}

export function parseDg1(file: Buffer): MrzFields {
  const mrz = need(children(outer(file, 0x61, 'DG1')), 0x5f1f, 'DG1');
  return parseMrz(mrz.value.toString('latin1'));
}

export interface FaceImage {
  format: 'jpeg' | 'jpeg2000' | 'unknown';
  data: Buffer;
  width: number | null;
  height: number | null;
}

function findDeep(t: Tlv, tags: number[], depth = 0): Tlv | null {
  if (tags.includes(t.tag)) return t;
  if (!t.constructed || depth > 6) return null;
  for (const c of children(t)) {
    const hit = findDeep(c, tags, depth + 1);
    if (hit) return hit;
  }
  return null;
}

export function imageFormat(img: Buffer): FaceImage['format'] {
  if (img[0] === 0xff && img[1] === 0xd8) return 'jpeg';
  if (img.subarray(0, 8).equals(Buffer.from('0000000C6A502020', 'hex')) || (img[0] === 0xff && img[1] === 0x4f && img[2] === 0xff && img[3] === 0x51))
    return 'jpeg2000';
  return 'unknown';
}

/**
 * ISO/IEC 39794-5 (the DER-encoded successor of 19794-5 in newer passports, 9303-10 8th ed.): the image is
 * `representationData2D [0] OCTET STRING` of an ImageRepresentation2DBlock, inside
 * representationBlocks [1] of the FaceImageDataBlock (schema as JMRTD's org.jmrtd.lds.iso39794 documents
 * it). Optional members shift positions, so the walk looks for the first primitive [0] whose content is a
 * JPEG or JPEG 2000 image, at most 8 levels deep. Checked against ICAO's 39794-5 application-profile
 * samples (AllFields, MandFields) as gmrtd publishes them: the image found is the published one.
 */
function iso39794Image(block: Buffer): FaceImage | null {
  const walk = (items: Tlv[], depth: number): Buffer | null => {
    for (const t of items) {
      if (!t.constructed && t.tag === 0x80 && imageFormat(t.value) !== 'unknown') return t.value;
      if (t.constructed && depth < 8) {
        const hit = walk(children(t), depth + 1);
        if (hit) return hit;
      }
    }
    return null;
  };
  let items: Tlv[];
  try {
    items = readAll(block);
  } catch {
    return null;
  }
  const data = walk(items, 0);
  return data ? { format: imageFormat(data), data, width: null, height: null } : null;
}

/** The first face image of DG2: the 5F2E/7F2E biometric data block (ISO 19794-5 record or ISO/IEC 39794-5). */
export function parseDg2(file: Buffer): FaceImage {
  const bdb = findDeep(outer(file, 0x75, 'DG2'), [0x5f2e, 0x7f2e]);
  if (!bdb) throw malformed('DG2: no biometric data block');
  const b = bdb.value;
  if (b.toString('latin1', 0, 4) !== 'FAC\x00') {
    const face = iso39794Image(b);
    if (face) return face;
    throw malformed('DG2: neither an ISO 19794-5 facial record nor an ISO/IEC 39794-5 block with an image');
  }
  if (b.length < 14 + 32) throw malformed('DG2: ISO 19794-5 facial record truncated');
  const faceStart = 14;
  const featurePoints = b.readUInt16BE(faceStart + 4);
  const imageInfo = faceStart + 20 + featurePoints * 8;
  const imageStart = imageInfo + 12;
  if (imageStart > b.length) throw malformed('DG2: facial record truncated');
  const data = b.subarray(imageStart);
  return { format: imageFormat(data), data, width: b.readUInt16BE(imageInfo + 2), height: b.readUInt16BE(imageInfo + 4) };
}

/** DG11/DG12 fields as text by tag (e.g. 5F0E full name, 5F11 place of birth, 5F19 issuing authority). */
export function parseTextDg(file: Buffer, tag: 0x6b | 0x6c): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of children(outer(file, tag, tag === 0x6b ? 'DG11' : 'DG12'))) {
    if (item.tag === 0x5c || item.constructed) continue;
    out[item.tag.toString(16).toUpperCase()] = item.value.toString('utf8');
  }
  return out;
}

/** DG15: the active-authentication SubjectPublicKeyInfo (DER). */
export function parseDg15(file: Buffer): Buffer {
  const spki = readTlv(outer(file, 0x6f, 'DG15').value);
  if (spki.tag !== 0x30) throw malformed('DG15: no SubjectPublicKeyInfo');
  return Buffer.from(spki.raw);
}

/** DG14's SecurityInfos SET. */
export function dg14Set(file: Buffer): Tlv {
  const set = readTlv(outer(file, 0x6e, 'DG14').value);
  if (set.tag !== 0x31) throw malformed('DG14: no SecurityInfos SET');
  return set;
}
