// The file contents of a virtual residence card, built from a (synthetic) personalisation and signed by
// the card certificate's key exactly as the issuer signs (docs/reference/residence.md "Issuer signature").
// The signature is computed over the data written to the card, so a host that concatenates, pads or
// orders differently fails. The layout is the card's own data (card-layout.ts), not the reader's.
import { sign } from 'node:crypto';
import { encodeShiftJis } from '../../printer/sjis.ts';
import { GEN1_SLOTS, GEN2_PRINTED_LAYOUT, GEN2_SLOTS, MF_SLOTS, SIGNED_SIZES, type EfSlot } from './card-layout.ts';
import { tlv } from '../iso7816/ber-tlv.ts';
import type { SynthCert } from './pki.ts';
import { xorAt } from '../../../core/checked.ts';

export interface Gen2PrintedSpec {
  cardExpiry: string; // YYYYMMDD
  dateOfBirth: string;
  sex: string;
  nationality: string;
  statusOfResidence: string; // 10 chars
  periodOfStay: string; // 4
  permissionType: string; // 2 (residence card only)
  permissionDate: string; // 8 (residence card only)
  workRestriction: string; // 1 (residence card only)
  periodOfStayExpiry: string; // 8 (residence card only)
}

export interface CardImages {
  face: Buffer;
  /** 1st gen front side / 2nd gen name image (MMR TIFF). */
  tiff: Buffer;
}

export interface CardFiles {
  /** SFI → content, per DF. */
  mf: Map<number, Buffer>;
  df1: Map<number, Buffer>;
  df2: Map<number, Buffer>;
  df3: Map<number, Buffer>;
}

export interface FileFaults {
  /** One bit of the check code flipped (same length). */
  badSignature?: boolean;
  /** Card data changed after signing (signature no longer matches the data). */
  tamperedData?: boolean;
  /** 2nd gen: the ECDSA signature in DER instead of raw r‖s (both are reported in the field). */
  derSignature?: boolean;
}

/** Right-pad with 00 to `size` (file capacities; signed-data field sizes). */
const padTo = (b: Buffer, size: number | undefined) => (size === undefined || b.length >= size ? b : Buffer.concat([b, Buffer.alloc(size - b.length)]));
const ascii = (s: string, n: number) => {
  const b = Buffer.alloc(n, 0x20);
  b.write(s.slice(0, n), 'utf8');
  return b;
};
const file = (slot: EfSlot, content: Buffer): [number, Buffer] => [slot.sfi, padTo(content, slot.capacity)];

function mfFiles(cardType: string, specVersion: string): Map<number, Buffer> {
  return new Map([
    file(MF_SLOTS.commonData, tlv(0xc0, Buffer.from(specVersion, 'latin1'))),
    file(MF_SLOTS.cardType, tlv(0xc1, Buffer.from(cardType, 'latin1'))),
  ]);
}

/** The printed-entry values of a personalisation, by tag. */
function printedValues(p: Gen2PrintedSpec): Map<number, string> {
  return new Map([
    [0xc5, p.cardExpiry],
    [0xc6, p.dateOfBirth],
    [0xc7, p.sex],
    [0xc8, p.nationality],
    [0xc9, p.statusOfResidence],
    [0xce, p.periodOfStay],
    [0xca, p.permissionType],
    [0xcb, p.permissionDate],
    [0xcc, p.workRestriction],
    [0xcd, p.periodOfStayExpiry],
  ]);
}

export function gen2Files(o: {
  /** The kind the card was issued (and signed) as. */
  cardType: '05' | '06' | '07' | '08';
  /** The card type MF/EF02 answers when it differs from the issued kind (an edit of the unsigned byte). */
  presentedCardType?: string;
  cardNumber: string;
  printed: Gen2PrintedSpec;
  images: CardImages;
  cert: SynthCert;
  faults?: FileFaults;
  /** Store D0/D1 NUL-padded to their full 2500/3000 bytes, as in the Appendix 2 example (default: the image's own length). */
  fullLengthImages?: boolean;
}): CardFiles {
  const spr = o.cardType === '06' || o.cardType === '08';
  const values = printedValues(o.printed);
  const entries: Array<[number, Buffer]> = GEN2_PRINTED_LAYOUT.filter((f) => !spr || !f.residenceOnly).map((f) => [
    f.tag,
    ascii(values.get(f.tag) ?? '', f.length),
  ]);
  // Signed data: printed entry values padded to 53 ‖ face padded to 3000 ‖ name image padded to 2500.
  const signed = Buffer.concat([
    padTo(Buffer.concat(entries.map(([, v]) => v)), SIGNED_SIZES.gen2Printed),
    padTo(o.images.face, SIGNED_SIZES.gen2Face),
    padTo(o.images.tiff, SIGNED_SIZES.gen2Name),
  ]);
  const signature = sign('sha256', signed, { key: o.cert.privateKey, dsaEncoding: o.faults?.derSignature ? 'der' : 'ieee-p1363' });
  if (o.faults?.badSignature) xorAt(signature, signature.length - 1, 0x01);
  if (o.faults?.tamperedData) entries[0] = [0xc5, ascii('20991231', 8)]; // expiry "extended" after signing
  const face = o.fullLengthImages ? padTo(o.images.face, SIGNED_SIZES.gen2Face) : o.images.face;
  const name = o.fullLengthImages ? padTo(o.images.tiff, SIGNED_SIZES.gen2Name) : o.images.tiff;
  const other = file(GEN2_SLOTS.df2Other, Buffer.concat([tlv(0xd9, Buffer.from('0')), tlv(0xde, Buffer.alloc(200, 0x20))]));
  return {
    mf: mfFiles(o.presentedCardType ?? o.cardType, '0001'),
    df1: new Map([
      file(GEN2_SLOTS.df1CardNumber, tlv(0xc2, Buffer.from(o.cardNumber, 'latin1'))),
      file(spr ? GEN2_SLOTS.df1PrintedSpr : GEN2_SLOTS.df1PrintedResidence, Buffer.concat(entries.map(([t, v]) => tlv(t, v)))),
      file(GEN2_SLOTS.df1NameFace, Buffer.concat([tlv(0xd0, name), tlv(0xd1, face)])),
      file(GEN2_SLOTS.df1Address, tlv(0xdfd1, o.images.tiff)),
    ]),
    df2: spr
      ? new Map([other])
      : new Map([
          file(
            GEN2_SLOTS.df2Permission,
            Buffer.concat([tlv(0xd5, ascii('1', 7)), tlv(0xd6, ascii(o.printed.periodOfStayExpiry, 8)), tlv(0xd7, Buffer.from('0'))]),
          ),
          file(GEN2_SLOTS.df2Renewal, tlv(0xd8, Buffer.from('0'))),
          other,
        ]),
    df3: new Map([file(GEN2_SLOTS.df3CheckCode, Buffer.concat([tlv(0xdc, signature), tlv(0xdd, o.cert.der)]))]),
  };
}

export function gen1Files(o: {
  cardType: '1' | '2';
  presentedCardType?: string;
  images: CardImages;
  cert: SynthCert;
  address: string;
  faults?: FileFaults;
}): CardFiles {
  // Signed data: front image padded to 7000 ‖ face padded to 3000 (values only).
  const signed = Buffer.concat([padTo(o.images.tiff, SIGNED_SIZES.gen1Front), padTo(o.images.face, SIGNED_SIZES.gen1Face)]);
  const signature = sign('sha256', signed, o.cert.privateKey);
  if (o.faults?.badSignature) xorAt(signature, signature.length - 1, 0x01);
  const face = Buffer.from(o.images.face);
  if (o.faults?.tamperedData) xorAt(face, face.length - 1, 0x01);
  const addr = encodeShiftJis(o.address).bytes;
  const df2 = new Map([
    file(GEN1_SLOTS.df2Address, Buffer.concat([tlv(0xd2, Buffer.from('20240401')), tlv(0xd3, Buffer.from('131016')), tlv(0xd4, addr)])),
    file(GEN1_SLOTS.df2Renewal, tlv(0xd7, Buffer.from('0'))),
  ]);
  if (o.cardType === '1') {
    df2.set(...file(GEN1_SLOTS.df2Comprehensive, tlv(0xd5, encodeShiftJis('許可：原則週２８時間以内・風俗営業等の従事を除く').bytes)));
    df2.set(...file(GEN1_SLOTS.df2Individual, tlv(0xd6, Buffer.alloc(0))));
  }
  return {
    mf: mfFiles(o.presentedCardType ?? o.cardType, '0001'),
    df1: new Map([file(GEN1_SLOTS.df1Front, tlv(0xd0, o.images.tiff)), file(GEN1_SLOTS.df1Face, tlv(0xd1, face))]),
    df2,
    df3: new Map([file(GEN1_SLOTS.df3CheckCode, Buffer.concat([tlv(0xda, signature), tlv(0xdb, o.cert.der)]))]),
  };
}
