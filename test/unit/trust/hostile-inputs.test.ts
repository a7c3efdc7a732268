// Minimal inputs that made trust parsers throw something other than a KioskError (issue 17), kept as
// regressions. The encodings are written out byte by byte from X.690 (DER), RFC 5280 (certificate and
// CRL structure) and RFC 4055 (RSASSA-PSS parameters), not produced by the code under test.
import { describe, expect, it } from 'vitest';
import { KioskError } from '../../../core/errors.ts';
import { parseSignatureAlgorithm } from '../../../daemon/trust/crl/signature.ts';
import { decodeOid } from '../../../daemon/encoding/asn1.ts';
import { parseExtensions } from '../../../daemon/trust/x509-extensions.ts';

const oidFromDer = (b: Buffer, what: string) => decodeOid(b, what, 'TRUST_CERT_MALFORMED');
import { makeCa } from '../../harness/crl-fixtures.ts';
import { codeOf } from '../../harness/error-code.ts';
import { parse } from '../crl/helpers.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const PSS_OID = '06 09 2a864886f70d01010a'; // id-RSASSA-PSS 1.2.840.113549.1.1.10 (RFC 4055 §3.1)

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
};

describe('RSASSA-PSS saltLength (CRL signature algorithm)', () => {
  it('a 26-byte CRL whose PSS saltLength is an empty INTEGER: CRL_MALFORMED, not a RangeError', () => {
    // CertificateList { tbsCertList { version v2, signature AlgorithmIdentifier { PSS, params { [2] INTEGER (empty) } } } }
    const crl = hex(`30 18  30 16  02 01 01  30 11 ${PSS_OID} 30 04 a2 02 02 00`);
    expect(crl.length).toBe(26);
    expect(codeOf(() => parse(crl, makeCa()))).toBe('CRL_MALFORMED');
  });

  it('other malformed saltLength INTEGERs are KioskErrors; well-formed ones parse', () => {
    const alg = (salt: string) => {
      const params = hex(`a2 ${(salt.length / 2 + 2).toString(16).padStart(2, '0')} 02 ${(salt.length / 2).toString(16).padStart(2, '0')} ${salt}`);
      const body = Buffer.concat([hex(PSS_OID), hex(`30 ${params.length.toString(16).padStart(2, '0')}`), params]);
      return Buffer.concat([hex(`30 ${body.length.toString(16).padStart(2, '0')}`), body]);
    };
    for (const bad of ['', '0020', 'ff', '80', 'ffff', '01000000']) {
      const e = thrown(() => parseSignatureAlgorithm(alg(bad)));
      expect([bad, e instanceof KioskError]).toEqual([bad, true]);
    }
    expect(parseSignatureAlgorithm(alg('20')).saltLength).toBe(32);
    expect(parseSignatureAlgorithm(alg('0080')).saltLength).toBe(128);
  });
});

describe('certificate extensions: OBJECT IDENTIFIER', () => {
  // A certificate (RSA key and signature bytes irrelevant to the extension walk) whose one Extension has the
  // given extnID content octets: { extnID, extnValue OCTET STRING (empty) }, written out byte by byte.
  const certWithExtnId = (oidContent: string) => {
    const oid = hex(oidContent);
    const ext = Buffer.concat([hex(`30 ${(oid.length + 4).toString(16).padStart(2, '0')} 06 ${oid.length.toString(16).padStart(2, '0')}`), oid, hex('04 00')]);
    // X.690 §8.1.3: short form below 128, else 81 nn
    const wrap = (tag: string, b: Buffer) => Buffer.concat([hex(`${tag} ${b.length < 0x80 ? '' : '81'} ${b.length.toString(16).padStart(2, '0')}`), b]);
    const name = hex('30 0c 31 0a 30 08 06 03 55 04 03 0c 01 41'); // CN=A (UTF8String)
    const alg = hex('30 0a 06 08 2a 86 48 ce 3d 04 03 02'); // ecdsa-with-SHA256
    const time = hex('17 0d 32 35 30 31 30 31 30 30 30 30 30 30 5a'); // 250101000000Z
    // SubjectPublicKeyInfo { id-ecPublicKey, prime256v1 } with a 2-byte placeholder key
    const spki = hex('30 1d 30 13 06 07 2a 86 48 ce 3d 02 01 06 08 2a 86 48 ce 3d 03 01 07 03 06 00 04 01 02 03 04');
    const tbs = wrap(
      '30',
      Buffer.concat([hex('a0 03 02 01 02 02 01 01'), alg, name, wrap('30', Buffer.concat([time, time])), name, spki, wrap('a3', wrap('30', ext))]),
    );
    return wrap('30', Buffer.concat([tbs, alg, hex('03 03 00 30 00')]));
  };

  it('a subidentifier beyond 2^53 is a KioskError or an unknown extension, never a plain Error', () => {
    const huge = 'ff ff ff ff ff ff ff ff ff 7f';
    let e: unknown = null;
    let ext: ReturnType<typeof parseExtensions> | null = null;
    try {
      ext = parseExtensions(certWithExtnId(huge));
    } catch (err) {
      e = err;
    }
    if (e) expect((e as KioskError).code).toBe('TRUST_CERT_MALFORMED');
    else expect(ext!.unknownCritical).toEqual([]); // not critical: ignored, as RFC 5280 §4.2 allows
    expect(thrown(() => oidFromDer(hex(huge), 't'))).toBeInstanceOf(KioskError);
  });

  it('empty, truncated and non-minimal OIDs are refused; published OIDs decode', () => {
    for (const bad of ['', '55 1d 8f', '80 01']) expect((thrown(() => oidFromDer(hex(bad), 't')) as KioskError).code).toBe('TRUST_CERT_MALFORMED');
    expect(oidFromDer(hex('55 1d 0f'), 't')).toBe('2.5.29.15'); // keyUsage, RFC 5280 §4.2.1.3
    expect(oidFromDer(hex('2a 86 48 86 f7 0d 01 01 0a'), 't')).toBe('1.2.840.113549.1.1.10'); // RFC 4055
    expect(oidFromDer(hex('2b 06 01 05 05 07 01 01'), 't')).toBe('1.3.6.1.5.5.7.1.1'); // authorityInfoAccess
    expect(parseExtensions(certWithExtnId('2a 03 04')).raw.has('1.2.3.4')).toBe(true); // X.690 §8.19.5: 40·1+2 = 0x2a
  });
});
