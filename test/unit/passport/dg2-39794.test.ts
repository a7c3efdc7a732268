// DG2 in ISO/IEC 39794-5 (issue 15 §3): newer passports carry the face as a DER FaceImageDataBlock in
// 7F2E instead of an ISO 19794-5 "FAC" record. The layout below follows the schema JMRTD documents
// (org.jmrtd.lds.iso39794: FaceImageDataBlock → representationBlocks [1] → RepresentationBlock →
// imageRepresentation [1] → base 2D [0] → representationData2D [0] OCTET STRING); image bytes synthetic.
import { describe, expect, it } from 'vitest';
import { parseDg2 } from '../../../daemon/documents/passport/datagroups/data-groups.ts';
import { tlv } from '../../../drivers/sim/iso7816/ber-tlv.ts';

const JPEG = Buffer.concat([Buffer.from('FFD8FFE0', 'hex'), Buffer.alloc(300, 0x11), Buffer.from('FFD9', 'hex')]);
const J2K = Buffer.concat([Buffer.from('FF4FFF51', 'hex'), Buffer.alloc(200, 0x22)]);

function dg2With(block: Buffer): Buffer {
  // 75 { 7F61 { 02 01 01 (count), 7F60 { A1 { biometric header }, 7F2E block } } }
  return tlv(0x75, tlv(0x7f61, tlv(0x02, Buffer.from([1])), tlv(0x7f60, tlv(0xa1, tlv(0x87, Buffer.from([1, 1]))), tlv(0x7f2e, block))));
}

function faceDataBlock(image: Buffer, withOptional: boolean): Buffer {
  const imageInformation = tlv(0xa1, tlv(0x80, Buffer.from([2])));
  const rep2d = tlv(0xa0, tlv(0x80, image), imageInformation);
  const representation = tlv(0x30, tlv(0x80, Buffer.from([1])), tlv(0xa1, rep2d), ...(withOptional ? [tlv(0xa2, tlv(0x80, Buffer.from([0x55])))] : []));
  const version = tlv(0xa0, tlv(0x80, Buffer.from([3])), tlv(0x81, Buffer.from([0])));
  return tlv(0xa1, version, tlv(0xa1, representation));
}

describe('DG2 as ISO/IEC 39794-5', () => {
  it.each([
    ['jpeg', JPEG],
    ['jpeg2000', J2K],
  ] as const)('finds the %s image with and without optional members', (format, img) => {
    for (const opt of [false, true]) {
      const face = parseDg2(dg2With(faceDataBlock(img, opt)));
      expect(face.format).toBe(format);
      expect(face.data.equals(img)).toBe(true);
    }
  });

  it('a block with no image is a typed refusal, not a crash', () => {
    expect(() => parseDg2(dg2With(faceDataBlock(Buffer.from('not an image'), false)))).toThrow(expect.objectContaining({ code: 'CARD_MALFORMED_RESPONSE' }));
    expect(() => parseDg2(dg2With(Buffer.from([0xa1, 0x85, 1])))).toThrow(expect.objectContaining({ code: 'CARD_MALFORMED_RESPONSE' }));
  });
});
