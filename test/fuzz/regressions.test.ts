// Crashes the document fuzz targets found (npm run fuzz, issue 17), each minimized to the smallest input
// that reproduced it: the parser must now answer with a typed KioskError and its stable code.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assessJpkiAuth, summarize } from '../../daemon/documents/mynumber/jpki-auth-verdict.ts';
import { parseSignedData } from '../../daemon/documents/passport/pki/cms.ts';
import { readTlv } from '../../daemon/encoding/ber-tlv.ts';
import { parseGen2Df2 } from '../../daemon/documents/residence/card-data.ts';
import { ErrorCodes } from '../../core/errors.ts';
import { TrustStore } from '../../daemon/trust/trust-store.ts';
import { createJpkiAuthCa, issueJpkiAuthCert } from '../../drivers/sim/pki.ts';
import { bytes, gmrtdJson, type Hex } from '../unit/passport/gmrtd-data.ts';
import { codeOf } from '../harness/error-code.ts';

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');

describe('fuzz regressions', () => {
  it('residence-files: a 2nd-gen DF2 text entry that is not UTF-8 (D8 01 B1) is a malformed file, not a TypeError', () => {
    expect(codeOf(() => parseGen2Df2(null, hex('d8 01 b1')))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    expect(codeOf(() => parseGen2Df2(hex('d6 01 b4'), null))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    // Valid UTF-8 still parses (the fix is only about the failure's type).
    expect(parseGen2Df2(null, hex('d8 03 e7 94 b3')).renewalApplication).toBe('申');
  });

  it('judge-jpki-auth: a certificate whose notAfter node cannot date (one digit → FF) is refused, not a RangeError', async () => {
    const ca = createJpkiAuthCa();
    const leaf = issueJpkiAuthCert(ca);
    const der = Buffer.from(leaf.x509.raw);
    // Validity ::= SEQUENCE { notBefore, notAfter } (RFC 5280 §4.1.2.5): the second time, tag 17 or 18.
    const nb = der.indexOf(Buffer.from([0x17, 0x0d]));
    const na = der.indexOf(Buffer.from([0x17, 0x0d]), nb + 2);
    expect(na).toBeGreaterThan(nb);
    der[na + 2 + 3] = 0xff; // what fuzz case 992 did: one digit of the month
    const cert = new X509Certificate(der);
    expect(Number.isNaN(Date.parse(cert.validTo))).toBe(true);
    expect(summarize(cert).notAfter).toMatch(/^unreadable/);
    const r = await assessJpkiAuth(
      { certificateDer: der, cardCaCertificateDer: null, token: null, pinTriesBefore: 3, challenge: Buffer.alloc(32, 1), signature: Buffer.alloc(256, 1) },
      {
        trust: new TrustStore([ca.x509]),
        revocation: { check: async () => ({ status: 'good', source: 'crl', checkedAt: new Date().toISOString() }) },
        at: new Date(),
      },
    );
    expect(r).toMatchObject({ verdict: 'refused', chain: 'invalid' });
    expect(r.authenticity).not.toBe('proven');
  });

  it('judge-passport: SignedData tagged SET (31) or [UNIVERSAL 26] (3A) instead of SEQUENCE is malformed, not verified', () => {
    // Fuzz cases 54223 and 80925 (seed 1) changed only this tag and passive authentication still verified:
    // the signed bytes were intact, but a parser that ignores a structure's tag takes bytes that are not CMS.
    // Here on gmrtd's real Austrian EF.SOD (test/conformance/gmrtd, MIT).
    const at = gmrtdJson<{ TestNewSod: { sodFileBytes: Hex; expCountryAlpha2: string }[] }>('sod.json').TestNewSod.find((c) => c.expCountryAlpha2 === 'AT')!;
    const ci = readTlv(bytes(at.sodFileBytes)!).value;
    // ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT SignedData }: SignedData's tag follows [0]'s header.
    const zero = ci.indexOf(Buffer.from('a082', 'hex'));
    expect(ci[zero + 4]).toBe(0x30);
    expect(parseSignedData(ci).signers).toHaveLength(1);
    for (const tag of [0x31, 0x3a]) {
      const bad = Buffer.from(ci);
      bad[zero + 4] = tag;
      expect(codeOf(() => parseSignedData(bad))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
    }
    // The other SEQUENCEs the parser walks: ContentInfo itself.
    const badCi = Buffer.from(ci);
    badCi[0] = 0x31;
    expect(codeOf(() => parseSignedData(badCi))).toBe(ErrorCodes.CARD_MALFORMED_RESPONSE);
  });
});
