// The daemon's entry to the ASN.1 stack (daemon/encoding/asn1.ts) and the CMS/OCSP readers built on it.
// Examples come from the standards, not from the code: X.690 (08/2015) §8.1.3.5 (length 38 in long form,
// BER only), §8.1.3.6 (indefinite form), §8.19.5 ({2 100 3} → 81 34 03), §8.7.3 (a constructed OCTET STRING
// is its segments joined); RFC 8017 A.2.4 (sha256WithRSAEncryption 1.2.840.113549.1.1.11); BSI TR-03110's
// id-PACE arc 0.4.0.127.0.7.2.2.4 (zero arcs, one octet each). Properties: mutated real EF.SODs (gmrtd,
// test/conformance/gmrtd) and BoringSSL's OCSP response (test/conformance/bssl-ocsp) give a typed KioskError
// or a result, never another exception, and a response whose signed bytes were changed is never "good".
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OctetString } from '@peculiar/asn1-schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../harness/error-code.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { parseSignedData } from '../../../daemon/documents/passport/pki/cms.ts';
import { decodeOid, octetStringOf, parseAsn1 } from '../../../daemon/encoding/asn1.ts';
import { children, readTlv } from '../../../daemon/encoding/ber-tlv.ts';
import { certIdFor, checkResponse } from '../../../daemon/trust/ocsp/ocsp-message.ts';
import { bytes, gmrtdJson, type Hex } from '../passport/gmrtd-data.ts';

const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const DER = { code: ErrorCodes.OCSP_BAD_RESPONSE, what: 'test', der: true } as const;
const BER = { code: ErrorCodes.CARD_MALFORMED_RESPONSE, what: 'test' } as const;

describe('decoding (X.690)', () => {
  const long38 = Buffer.concat([h('04 81 26'), Buffer.alloc(38, 0x41)]);
  it('§8.1.3.5: the long form of a short length is BER, refused under DER', () => {
    expect(parseAsn1(long38, OctetString, BER).byteLength).toBe(38);
    expect(codeOf(() => parseAsn1(long38, OctetString, DER))).toBe(ErrorCodes.OCSP_BAD_RESPONSE);
    expect(parseAsn1(h('04 03 414243'), OctetString, DER).byteLength).toBe(3);
    // 768 = 82 03 00 is the shortest form (a zero last octet is not padding); 82 00 26 is padded.
    expect(parseAsn1(Buffer.concat([h('04 82 0300'), Buffer.alloc(768)]), OctetString, DER).byteLength).toBe(768);
    expect(codeOf(() => parseAsn1(Buffer.concat([h('04 82 0026'), Buffer.alloc(38)]), OctetString, DER))).toBe(ErrorCodes.OCSP_BAD_RESPONSE);
  });

  it('§8.1.3.6 / §8.7.3: an indefinite constructed OCTET STRING is its segments joined (BER), refused under DER', () => {
    const ber = h('24 80 04 02 4142 04 01 43 00 00');
    expect(octetStringOf(ber, BER).toString('latin1')).toBe('ABC');
    expect(codeOf(() => octetStringOf(ber, DER))).toBe(ErrorCodes.OCSP_BAD_RESPONSE);
  });

  it('trailing bytes and truncation are the caller’s code, never a library error', () => {
    expect(codeOf(() => parseAsn1(h('04 01 41 00'), OctetString, BER))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    expect(codeOf(() => parseAsn1(h('04 05 41'), OctetString, BER))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    expect(codeOf(() => parseAsn1(h('02 01 05'), OctetString, BER))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
  });

  it('§8.19: OIDs, with padded, truncated, empty and oversized arcs refused', () => {
    expect(decodeOid(h('813403'))).toBe('2.100.3');
    expect(decodeOid(h('2A864886F70D01010B'))).toBe('1.2.840.113549.1.1.11');
    expect(decodeOid(h('04007F00070202 04'))).toBe('0.4.0.127.0.7.2.2.4');
    for (const bad of ['2A8001', '2A86', '', '80', 'FFFFFFFFFFFFFF7F']) {
      expect(
        codeOf(() => decodeOid(h(bad), 'oid', ErrorCodes.TRUST_CERT_MALFORMED)),
        bad,
      ).toBe(ErrorCodes.TRUST_CERT_MALFORMED);
    }
  });
});

/** `b` with `n` random byte changes, a truncation or an extension (fast-check chooses). */
const mutated = (b: Buffer) =>
  fc.oneof(
    fc.array(fc.tuple(fc.nat(b.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
      const m = Buffer.from(b);
      for (const [i, v] of edits) m[i] = v;
      return { bytes: m, changed: edits.map(([i]) => i) };
    }),
    fc.nat(b.length - 1).map((n) => ({ bytes: b.subarray(0, n), changed: [n] })),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((tail) => ({ bytes: Buffer.concat([b, tail]), changed: [b.length] })),
  );

describe('CMS SignedData from mutated real EF.SODs (gmrtd)', () => {
  const sods = gmrtdJson<{ TestNewSod: { sodFileBytes: Hex }[] }>('sod.json').TestNewSod.map((c) => readTlv(bytes(c.sodFileBytes)!).value);

  it('parses, or throws CARD_MALFORMED_RESPONSE only', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...sods).chain((s) => mutated(s)),
        ({ bytes: m }) => {
          const code = codeOf(() => parseSignedData(m));
          expect(['none', ErrorCodes.CARD_MALFORMED_RESPONSE]).toContain(code);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('OCSP responses mutated from BoringSSL’s good_response.pem', () => {
  const DIR = join(import.meta.dirname, '../../conformance/bssl-ocsp');
  const text = readFileSync(join(DIR, 'good_response.pem'), 'utf8');
  const pem = (label: string) => Buffer.from(new RegExp(`-----BEGIN ${label}-----\\n([\\s\\S]*?)-----END`).exec(text)![1]!.replace(/\s+/g, ''), 'base64');
  const ca = new X509Certificate(pem('CA CERTIFICATE'));
  const cert = new X509Certificate(pem('CERTIFICATE'));
  const response = pem('OCSP RESPONSE');
  const id = certIdFor(cert, ca);
  const o = { now: new Date(1488672000 * 1000), nonce: null, maxAgeSeconds: 7 * 86400 };
  // tbsResponseData (the signed bytes), located with the card-side TLV codec, not the reader under test:
  // OCSPResponse { status, [0] { ResponseBytes { type, OCTET STRING { BasicOCSPResponse { tbs, … } } } } }.
  const [, wrapped] = children(readTlv(response));
  const [, basicOctets] = children(children(wrapped!)[0]!);
  const tbs = children(readTlv(basicOctets!.value))[0]!;

  it('the unmutated response is good, and the signed range is where this test thinks', () => {
    expect(checkResponse(response, id, ca, o).status).toBe('good');
    expect(tbs.tag).toBe(0x30);
  });

  it('gives an answer or an OCSP error code only, and never "good" once the signed bytes changed', () => {
    const signedFrom = response.indexOf(tbs.raw);
    const signedTo = signedFrom + tbs.raw.length;
    expect(signedFrom).toBeGreaterThan(0);
    fc.assert(
      fc.property(mutated(response), ({ bytes: m, changed }) => {
        let status = 'error';
        try {
          status = checkResponse(m, id, ca, o).status;
        } catch (e) {
          expect(e).toBeInstanceOf(KioskError);
          expect([ErrorCodes.OCSP_BAD_RESPONSE, ErrorCodes.OCSP_RESPONDER_ERROR]).toContain((e as KioskError).code);
        }
        const signedChanged = m.length === response.length && changed.some((i) => i >= signedFrom && i < signedTo && m[i] !== response[i]);
        if (signedChanged) expect(status).not.toBe('good');
      }),
      { numRuns: 300 },
    );
  });
});
