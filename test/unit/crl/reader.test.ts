import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeCa } from '../../harness/crl-fixtures.ts';
import {
  bitString,
  buildCrl,
  buildTbsCertList,
  ctx,
  extension,
  int,
  name,
  oid,
  seq,
  signed,
  tlv,
  algorithmIdentifier,
  bool,
  octets,
  type CrlSpec,
} from '../../../core/der-build.ts';
import { codeOf } from '../../harness/error-code.ts';
import { parse } from './helpers.ts';

const ca = makeCa();
const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-08T00:00:00Z');
const base = (o: Partial<CrlSpec> = {}): CrlSpec => ({
  issuer: ca.name,
  signer: ca.signer,
  thisUpdate: T0,
  nextUpdate: T1,
  crlNumber: 7,
  aki: ca.ski,
  entries: [
    { serial: 0x1001n, reason: 1, date: new Date('2025-12-01T10:00:00Z') },
    { serial: 0x80n, invalidity: new Date('2025-11-30T00:00:00Z') },
    { serial: 0x0102030405060708090a0b0c0d0e0f10n, reason: 6 },
  ],
  ...o,
});
/** Re-sign a hand-made TBS so only the malformation (not the signature) can cause the rejection. */
const resign = (tbs: Buffer) => signed(tbs, ca.signer);

describe('streaming CRL reader: well-formed input', () => {
  it('yields every entry with serial, date, reason and invalidity date, and the CRL metadata', () => {
    const { result, entries } = parse(buildCrl(base()), ca);
    expect(entries).toEqual([
      { serial: '1001', revokedAt: Date.parse('2025-12-01T10:00:00Z') / 1000, reason: 1, invalidity: NaN },
      { serial: '0080', revokedAt: Date.parse('2025-01-01T00:00:00Z') / 1000, reason: -1, invalidity: Date.parse('2025-11-30T00:00:00Z') / 1000 },
      { serial: '0102030405060708090a0b0c0d0e0f10', revokedAt: Date.parse('2025-01-01T00:00:00Z') / 1000, reason: 6, invalidity: NaN },
    ]);
    expect(result).toMatchObject({ version: 2, crlNumber: '7', entries: 3, thisUpdate: T0.getTime() / 1000, nextUpdate: T1.getTime() / 1000 });
    expect(result.authorityKeyId?.equals(ca.ski)).toBe(true);
    // the fingerprint as documented in docs/reference/crl-store.md: SHA-256 over a label, the outer header,
    // the digest name, the TBS digest and the bytes after the TBS — recomputed here from the DER itself
    const der = buildCrl(base());
    const outerHdr = 2 + (der[1]! & 0x80 ? der[1]! & 0x7f : 0);
    const tbsLen = der.readUInt16BE(outerHdr + 2); // this CRL's TBS has a 2-byte length (0x82)
    expect(der[outerHdr + 1]).toBe(0x82);
    const tbsEnd = outerHdr + 4 + tbsLen;
    const want = createHash('sha256')
      .update('idkiosk CRL fingerprint v1\0')
      .update(der.subarray(0, outerHdr))
      .update('sha256\0')
      .update(createHash('sha256').update(der.subarray(outerHdr, tbsEnd)).digest())
      .update(der.subarray(tbsEnd))
      .digest('hex');
    expect(parse(der, ca).result.fingerprint).toBe(want);
  });

  it('gives identical results whatever the chunk size (entries straddling chunk boundaries)', () => {
    const many = base({ entries: Array.from({ length: 300 }, (_, i) => ({ serial: BigInt(i * 7919 + 1), reason: i % 3 ? 4 : undefined })) });
    const der = buildCrl(many);
    const ref = parse(der, ca).entries;
    for (const chunkSize of [1, 2, 3, 7, 64, 1000]) expect(parse(der, ca, { chunkSize }).entries).toEqual(ref);
  });

  it('accepts an empty CRL, a v1 CRL without extensions and GeneralizedTime dates', () => {
    expect(parse(buildCrl(base({ entries: [] })), ca).result.entries).toBe(0);
    const v1 = parse(buildCrl(base({ v1: true, crlNumber: undefined, aki: undefined, entries: [{ serial: 5n }] })), ca);
    expect(v1.result.version).toBe(1);
    const far = parse(buildCrl(base({ nextUpdate: new Date('2051-01-01T00:00:00Z') })), ca);
    expect(far.result.nextUpdate).toBe(Date.parse('2051-01-01T00:00:00Z') / 1000);
  });

  const algs = [
    ['RSA PKCS#1 SHA-1', makeCa({ digest: 'sha1' })],
    ['RSA PKCS#1 SHA-384', makeCa({ digest: 'sha384' })],
    ['RSA PKCS#1 SHA-512', makeCa({ digest: 'sha512' })],
    ['RSA-PSS SHA-256', makeCa({ pss: true })],
    ['ECDSA P-256 SHA-256', makeCa({ kind: 'ec256' })],
    ['ECDSA P-384 SHA-384', makeCa({ kind: 'ec384', digest: 'sha384' })],
  ] as const;
  for (const [label, c] of algs) {
    it(`verifies ${label}`, () => {
      const der = buildCrl({ ...base(), issuer: c.name, signer: c.signer, aki: c.ski });
      expect(parse(der, c).result.entries).toBe(3);
      const tampered = Buffer.from(der);
      const at = tampered.indexOf(Buffer.from([0x02, 0x02, 0x10, 0x01]));
      tampered.writeUInt8(tampered[at + 3]! ^ 0x02, at + 3);
      expect(codeOf(() => parse(tampered, c))).toBe('CRL_SIGNATURE_INVALID');
    });
  }
});

describe('streaming CRL reader: every malformation is a typed error', () => {
  const other = makeCa({ cn: 'Other CA', slot: 1 });
  const cases: Array<[string, () => Buffer, string, typeof ca?]> = [
    ['truncated file', () => buildCrl(base()).subarray(0, 200), 'CRL_LENGTH'],
    [
      'truncated by one byte',
      () => {
        const d = buildCrl(base());
        return d.subarray(0, d.length - 1);
      },
      'CRL_LENGTH',
    ],
    ['trailing bytes', () => Buffer.concat([buildCrl(base()), Buffer.from([0])]), 'CRL_TRAILING_DATA'],
    ['not a SEQUENCE', () => Buffer.from('0403010203', 'hex'), 'CRL_MALFORMED'],
    ['empty file', () => Buffer.alloc(0), 'CRL_LENGTH'],
    ['indefinite length', () => Buffer.from('30800000', 'hex'), 'CRL_LENGTH'],
    [
      'non-minimal length',
      () => {
        const d = buildCrl(base({ entries: [] }));
        return Buffer.concat([Buffer.from([0x30, 0x82, 0x00, d[1]!]), d.subarray(2)]);
      },
      'CRL_LENGTH',
    ],
    ['5-byte length', () => Buffer.from('308500000000010000', 'hex'), 'CRL_LENGTH'],
    ['wrong issuer name', () => buildCrl(base({ issuer: name('Somebody Else') })), 'CRL_ISSUER_MISMATCH'],
    ['signed by another key with the same name', () => buildCrl({ ...base(), signer: other.signer, aki: undefined }), 'CRL_SIGNATURE_INVALID'],
    ['AKI does not match SKI', () => buildCrl(base({ aki: Buffer.alloc(20, 1) })), 'CRL_ISSUER_MISMATCH'],
    [
      'version 3',
      () => {
        const t = buildTbsCertList(base());
        t[t.indexOf(Buffer.from([2, 1, 1])) + 2] = 2;
        return resign(t);
      },
      'CRL_VERSION',
    ],
    ['v1 CRL with crlExtensions', () => buildCrl(base({ v1: true })), 'CRL_VERSION'],
    ['v1 CRL with entry extensions', () => buildCrl(base({ v1: true, crlNumber: undefined, aki: undefined })), 'CRL_VERSION'],
    ['unknown critical CRL extension', () => buildCrl(base({ extensions: [extension('2a0304', Buffer.from([5, 0]), true)] })), 'CRL_CRITICAL_EXTENSION'],
    [
      'unknown critical entry extension',
      () => buildCrl(base({ entries: [{ serial: 1n, extensions: [extension('2a0306', seq(), true)] }] })),
      'CRL_CRITICAL_EXTENSION',
    ],
    [
      'certificateIssuer entry extension (indirect CRL)',
      () => buildCrl(base({ entries: [{ serial: 1n, extensions: [extension('551d1d', seq(), true)] }] })),
      'CRL_SCOPE',
    ],
    [
      'unknown non-critical extensions are fine',
      () =>
        buildCrl(
          base({ extensions: [extension('2a0304', Buffer.from([5, 0]))], entries: [{ serial: 1n, extensions: [extension('2a0305', Buffer.from([5, 0]))] }] }),
        ),
      'none',
    ],
    ['duplicate CRL extension', () => buildCrl(base({ extensions: [extension('551d14', int(8))] })), 'CRL_MALFORMED'],
    ['CRL number longer than 20 octets', () => buildCrl(base({ crlNumber: 1n << 170n })), 'CRL_MALFORMED'],
    ['nextUpdate before thisUpdate', () => buildCrl(base({ nextUpdate: new Date('2025-12-31T00:00:00Z') })), 'CRL_MALFORMED'],
    [
      'invalid month in thisUpdate',
      () => {
        const t = buildTbsCertList(base());
        const i = t.indexOf(Buffer.from('260101000000Z'));
        t.write('261301000000Z', i);
        return resign(t);
      },
      'CRL_MALFORMED',
    ],
    ['30 February in an entry date', () => buildCrl(base({ rawEntries: [seq(int(9), tlv(0x17, Buffer.from('250230000000Z')))] })), 'CRL_MALFORMED'],
    ['local time (no Z)', () => buildCrl(base({ rawEntries: [seq(int(9), tlv(0x17, Buffer.from('2501010000000')))] })), 'CRL_MALFORMED'],
    ['reason code 7', () => buildCrl(base({ entries: [{ serial: 1n, reason: 7 }] })), 'CRL_MALFORMED'],
    ['reason code 11', () => buildCrl(base({ entries: [{ serial: 1n, reason: 11 }] })), 'CRL_MALFORMED'],
    [
      'duplicate reasonCode',
      () => buildCrl(base({ entries: [{ serial: 1n, reason: 1, extensions: [extension('551d15', tlv(0x0a, Buffer.from([2])))] }] })),
      'CRL_MALFORMED',
    ],
    ['empty serial', () => buildCrl(base({ rawEntries: [seq(tlv(0x02), tlv(0x17, Buffer.from('250101000000Z')))] })), 'CRL_LENGTH'],
    ['33-byte serial', () => buildCrl(base({ entries: [{ serial: Buffer.alloc(33, 0x11) }] })), 'CRL_LENGTH'],
    ['non-minimal serial', () => buildCrl(base({ entries: [{ serial: Buffer.from([0, 1]) }] })), 'CRL_MALFORMED'],
    ['entry is not a SEQUENCE', () => buildCrl(base({ rawEntries: [tlv(0x31, int(1), tlv(0x17, Buffer.from('250101000000Z')))] })), 'CRL_MALFORMED'],
    [
      'entry length runs past the list',
      () => {
        const t = buildTbsCertList(base({ entries: [{ serial: 1n }] }));
        const i = t.indexOf(Buffer.from([0x30, 0x12, 0x02, 0x01, 0x01]));
        t[i + 1] = 0x7f;
        return resign(t);
      },
      'CRL_LENGTH',
    ],
    [
      'entry with junk after its date',
      () => buildCrl(base({ rawEntries: [seq(int(1), tlv(0x17, Buffer.from('250101000000Z')), Buffer.from([0x05, 0x00]))] })),
      'CRL_MALFORMED',
    ],
    [
      'outer and inner algorithm differ',
      () => seq(buildTbsCertList(base()), algorithmIdentifier({ key: ca.key, digest: 'sha512' }), bitString(Buffer.alloc(256))),
      'CRL_MALFORMED',
    ],
    [
      'signature with unused bits',
      () => {
        const t = buildTbsCertList(base());
        return seq(t, algorithmIdentifier(ca.signer), bitString(Buffer.alloc(256), 3));
      },
      'CRL_MALFORMED',
    ],
    [
      'data after the signature inside the CRL',
      () => {
        const d = buildCrl(base());
        const inner = d.subarray(4);
        return seq(inner, nulBytes());
      },
      'CRL_MALFORMED',
    ],
    [
      'critical flag malformed',
      () =>
        buildCrl(
          base({
            rawEntries: [
              seq(
                int(1),
                tlv(0x17, Buffer.from('250101000000Z')),
                seq(seq(oid('551d15'), tlv(0x01, Buffer.from([0xff, 0xff])), octets(tlv(0x0a, Buffer.from([1]))))),
              ),
            ],
          }),
        ),
      'CRL_MALFORMED',
    ],
    [
      'indirect CRL flag is parsed (rejected later by the store)',
      () => buildCrl(base({ extensions: [extension('551d1c', seq(tlv(0x84, Buffer.from([0xff]))), true)] })),
      'none',
    ],
    ['critical flag present but false', () => buildCrl(base({ extensions: [seq(oid('2a0304'), bool(false), octets(Buffer.from([5, 0])))] })), 'none'],
  ];
  function nulBytes() {
    return Buffer.from([0x05, 0x00]);
  }
  for (const [label, make, code] of cases) {
    it(`${label} → ${code}`, () => {
      expect(codeOf(() => parse(make(), ca))).toBe(code);
    });
  }
  it('unsupported signature algorithm → CRL_UNSUPPORTED_ALGORITHM', () => {
    const ed = seq(oid('2b6570'));
    const tbs = buildTbsCertList(base());
    const a = algorithmIdentifier(ca.signer);
    const i = tbs.indexOf(a);
    const body = Buffer.concat([tbs.subarray(2 + (tbs[1]! & 0x80 ? tbs[1]! & 0x7f : 0), i), ed, tbs.subarray(i + a.length)]);
    expect(codeOf(() => parse(seq(seq(body), ed, bitString(Buffer.alloc(64))), ca))).toBe('CRL_UNSUPPORTED_ALGORITHM');
  });
  it('a file over the size limit → CRL_TOO_LARGE before parsing', () => {
    expect(codeOf(() => parse(buildCrl(base()), ca, { maxBytes: 100 }))).toBe('CRL_TOO_LARGE');
  });
  it('context tags in the wrong place → typed error', () => {
    expect(codeOf(() => parse(resign(seq(int(1), ctx(1, int(1)))), ca))).toMatch(/^CRL_/);
  });
});

describe('streaming CRL reader: fuzzing', () => {
  const good = buildCrl(base({ entries: Array.from({ length: 20 }, (_, i) => ({ serial: BigInt(i + 1) * 0x1234567n, reason: i % 2 ? 1 : undefined })) }));
  it('mutated, truncated or extended CRLs never crash, hang or yield a non-CRL error', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat(good.length), { nil: undefined }),
        fc.uint8Array({ maxLength: 4 }),
        (muts, cut, tail) => {
          const d = Buffer.from(good);
          for (const [i, v] of muts) d[i] = v;
          const input = Buffer.concat([cut === undefined ? d : d.subarray(0, cut), tail]);
          const code = codeOf(() => parse(input, ca, { chunkSize: 37 }));
          expect(code === 'none' || code.startsWith('CRL_')).toBe(true);
          // a mutation inside the signed part can never be accepted
          if (code === 'none') expect(input.subarray(0, good.length - 300).equals(good.subarray(0, good.length - 300))).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});
