// The file contents of a virtual residence card, built from a (synthetic) personalisation and signed by
// the card certificate's key exactly as the issuer signs (cards.md §3.5–3.7). The signature is computed
// over the data written to the card, so a host that concatenates, pads or orders differently fails.
import { sign } from 'node:crypto';
import { encodeShiftJis } from '../../printer/sjis.ts';
import { encodeTlv } from '../../../daemon/documents/residence/tlv.ts';
import type { SynthCert } from './pki.ts';

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

/** Right-pad with 00 to the file capacity (real files are fixed-size). */
const fit = (b: Buffer, capacity: number) => (b.length >= capacity ? b : Buffer.concat([b, Buffer.alloc(capacity - b.length)]));
const ascii = (s: string, n: number) => {
  const b = Buffer.alloc(n, 0x20);
  b.write(s.slice(0, n), 'utf8');
  return b;
};
const tlv = encodeTlv;

function mfFiles(cardType: string, specVersion: string): Map<number, Buffer> {
  return new Map([
    [0x0b, tlv(0xc0, Buffer.from(specVersion, 'latin1'))],
    [0x0a, tlv(0xc1, Buffer.from(cardType, 'latin1'))],
  ]);
}

export function gen2Files(o: {
  cardType: '05' | '06' | '07' | '08';
  cardNumber: string;
  printed: Gen2PrintedSpec;
  images: CardImages;
  cert: SynthCert;
  faults?: FileFaults;
}): CardFiles {
  const p = o.printed;
  const spr = o.cardType === '06' || o.cardType === '08';
  const entries: Array<[number, Buffer]> = [
    [0xc5, ascii(p.cardExpiry, 8)],
    [0xc6, ascii(p.dateOfBirth, 8)],
    [0xc7, ascii(p.sex, 1)],
    [0xc8, ascii(p.nationality, 3)],
    [0xc9, ascii(p.statusOfResidence, 10)],
    [0xce, ascii(p.periodOfStay, 4)],
  ];
  if (!spr) entries.push([0xca, ascii(p.permissionType, 2)], [0xcb, ascii(p.permissionDate, 8)], [0xcc, ascii(p.workRestriction, 1)], [0xcd, ascii(p.periodOfStayExpiry, 8)]);
  const printedSigned = Buffer.alloc(53);
  Buffer.concat(entries.map(([, v]) => v)).copy(printedSigned);
  const signed = Buffer.concat([printedSigned, o.images.face, o.images.tiff]);
  let signature = sign('sha256', signed, { key: o.cert.privateKey, dsaEncoding: o.faults?.derSignature ? 'der' : 'ieee-p1363' });
  if (o.faults?.badSignature) signature[signature.length - 1]! ^= 0x01;
  if (o.faults?.tamperedData) entries[0] = [0xc5, ascii('20991231', 8)]; // expiry "extended" after signing
  const ef02 = Buffer.concat(entries.map(([t, v]) => tlv(t, v)));
  return {
    mf: mfFiles(o.cardType, '0001'),
    df1: new Map([
      [0x01, tlv(0xc2, Buffer.from(o.cardNumber, 'latin1'))],
      [0x03, ef02],
      [0x04, fit(Buffer.concat([tlv(0xd0, o.images.tiff), tlv(0xd1, o.images.face)]), 0)],
      [0x06, tlv(0xdfd1, o.images.tiff)],
    ]),
    df2: spr
      ? new Map([[0x03, fit(Buffer.concat([tlv(0xd9, Buffer.from('0')), tlv(0xde, Buffer.alloc(200, 0x20))]), 207)]])
      : new Map([
          [0x01, fit(Buffer.concat([tlv(0xd5, ascii('1', 7)), tlv(0xd6, ascii(p.periodOfStayExpiry, 8)), tlv(0xd7, Buffer.from('0'))]), 22)],
          [0x02, fit(tlv(0xd8, Buffer.from('0')), 3)],
          [0x03, fit(Buffer.concat([tlv(0xd9, Buffer.from('0')), tlv(0xde, Buffer.alloc(200, 0x20))]), 207)],
        ]),
    df3: new Map([[0x01, fit(Buffer.concat([tlv(0xdc, signature), tlv(0xdd, o.cert.der)]), 704)]]),
  };
}

export function gen1Files(o: { cardType: '1' | '2'; images: CardImages; cert: SynthCert; address: string; faults?: FileFaults }): CardFiles {
  const signed = Buffer.alloc(10_000);
  o.images.tiff.copy(signed, 0);
  o.images.face.copy(signed, 7000);
  let signature = sign('sha256', signed, o.cert.privateKey);
  if (o.faults?.badSignature) signature[signature.length - 1]! ^= 0x01;
  const face = Buffer.from(o.images.face);
  if (o.faults?.tamperedData) face[face.length - 1]! ^= 0x01;
  const addr = encodeShiftJis(o.address).bytes;
  const df2 = new Map([
    [0x01, fit(Buffer.concat([tlv(0xd2, Buffer.from('20240401')), tlv(0xd3, Buffer.from('131016')), tlv(0xd4, addr)]), 342)],
    [0x04, fit(tlv(0xd7, Buffer.from('0')), 3)],
  ]);
  if (o.cardType === '1') {
    df2.set(0x02, fit(tlv(0xd5, encodeShiftJis('許可：原則週２８時間以内・風俗営業等の従事を除く').bytes), 122));
    df2.set(0x03, fit(tlv(0xd6, Buffer.alloc(0)), 122));
  }
  return {
    mf: mfFiles(o.cardType, '0001'),
    df1: new Map([
      [0x05, tlv(0xd0, o.images.tiff)],
      [0x06, tlv(0xd1, face)],
    ]),
    df2,
    df3: new Map([[0x02, fit(Buffer.concat([tlv(0xda, signature), tlv(0xdb, o.cert.der)]), 1464)]]),
  };
}
