// pyca/cryptography's edge-case CRLs (test/conformance/pyca/, Apache-2.0 OR BSD-3-Clause, see NOTICE.md)
// through the kiosk's CRL code. pyca's verdict per file comes from its tests (NOTICE.md); the kiosk must
// never accept a CRL pyca refuses, and every CRL pyca accepts that the kiosk refuses is listed below with
// the reason (always a fail-closed one).
//   - With the signing CA published (3 files): the whole `crl import` path (importCrl) under that CA.
//   - Without it (16 files): the streaming reader against a stand-in issuer that has the CRL's own issuer
//     name and an unrelated key. A CRL whose every structure check passes then ends at the signature
//     (CRL_SIGNATURE_INVALID): that is "parsed"; any other error is a refusal of the structure.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../daemon/trust/crl/cert-info.ts';
import { parseCrlExtensions } from '../../../daemon/trust/crl/crl-extensions.ts';
import { readCrl } from '../../../daemon/trust/crl/crl-reader.ts';
import { importCrl } from '../../../daemon/trust/crl/importer.ts';
import { CrlStore } from '../../../daemon/trust/crl/store.ts';
import { DerReader } from '../../../daemon/trust/crl/der.ts';

const DIR = join(import.meta.dirname, '../../conformance');
const cases = JSON.parse(readFileSync(join(DIR, 'pyca/cases.json'), 'utf8')) as { id: string; crl: string; issuer: string | null }[];
const work = mkdtempSync(join(tmpdir(), 'idkiosk-pyca-crl-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** pyca's verdict (tests/x509/test_x509.py, test_x509_ext.py). */
const PYCA_REFUSES = new Set([
  'pyca/crl_bad_version', // InvalidVersion on load
  'pyca/crl_dup_entry_ext', // DuplicateExtension (two reasonCode entry extensions)
  'pyca/crl_unsupported_reason', // ValueError: reason code outside CRLReason
  'pyca/crl_inval_cert_issuer_entry_ext', // ValueError: certificateIssuer entry extension malformed
  'pyca/crl_md2_unknown_crit_entry_ext', // UnsupportedAlgorithm: MD2 signature
  'pyca/invalid_signature_crl', // is_signature_valid() is False
]);

/** CRLs pyca accepts that the kiosk refuses, and why (each a fail-closed refusal). */
const STRICTER: Record<string, { code: string; why: string }> = {};

function pem(file: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(readFileSync(join(DIR, file), 'latin1'));
  return Buffer.from(m![1]!.replace(/\s+/g, ''), 'base64');
}

/** tbsCertList fields: version?, signature, issuer, thisUpdate, nextUpdate?, revoked?, [0] extensions? */
function tbsFields(der: Buffer): { issuer: Buffer; extensions: Buffer | null } {
  const top = new DerReader(der);
  const list = top.inner(top.read(0x30, 'CertificateList'));
  const tbs = list.inner(list.read(0x30, 'tbsCertList'));
  if (tbs.peekTag() === 0x02) tbs.read(0x02);
  tbs.read(0x30);
  const issuer = Buffer.from(tbs.bytes(tbs.read(0x30)));
  let extensions: Buffer | null = null;
  while (!tbs.done) {
    const t = tbs.read(undefined);
    if (t.tag === 0xa0) extensions = Buffer.from(tbs.bytes(t));
  }
  return { issuer, extensions };
}

const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
const standIn = parseCertificate(new X509Certificate(pem('pyca/crl_ca.pem', 'CERTIFICATE')));

type Outcome = { accepted: true } | { accepted: false; code: string };

function outcome(c: (typeof cases)[number]): Outcome {
  const der = pem(c.crl, 'X509 CRL');
  const file = join(work, `${c.id.replace('/', '_')}.der`);
  writeFileSync(file, der);
  try {
    if (c.issuer) {
      importCrl(mkdtempSync(join(work, 'store-')), file, new X509Certificate(pem(c.issuer, 'CERTIFICATE')), { now: new Date('2017-09-01T00:00:00Z') });
      return { accepted: true };
    }
    readCrl(file, { issuer: { ...standIn, subjectDer: tbsFields(der).issuer, subjectKeyId: undefined, publicKey: otherKey } });
    throw new Error('a CRL verified under an unrelated key');
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'NOT_A_KIOSK_ERROR';
    if (!c.issuer && code === 'CRL_SIGNATURE_INVALID') return { accepted: true };
    return { accepted: false, code };
  }
}

describe('pyca/cryptography CRL vectors', () => {
  it('covers the 19 CRLs', () => expect(cases).toHaveLength(19));

  for (const c of cases) {
    const pyca = PYCA_REFUSES.has(c.id) ? 'refused' : 'accepted';
    it(`${c.id}: pyca ${pyca}`, () => {
      const got = outcome(c);
      if (pyca === 'refused') expect(got.accepted, JSON.stringify(got)).toBe(false);
      else if (STRICTER[c.id]) expect(got).toEqual({ accepted: false, code: STRICTER[c.id]!.code });
      else expect(got, JSON.stringify(got)).toEqual({ accepted: true });
      if (!got.accepted) expect(got.code).toMatch(/^CRL_/); // typed, stable refusals only
    });
  }

  it('crl_all_reasons: the removeFromCRL entry in this complete CRL leaves serial 09 unrevoked (RFC 5280 §6.3.3 (k))', () => {
    // Serials and reasons as `openssl crl -text` (OpenSSL 3.0) prints them: 01 keyCompromise, 02 unspecified,
    // 03 keyCompromise, 04 cACompromise, 05 affiliationChanged, 06 superseded, 07 cessationOfOperation,
    // 08 certificateHold, 09 removeFromCRL.
    const store = new CrlStore(mkdtempSync(join(work, 'store-')), { recheckMs: 0 });
    const file = join(work, 'all_reasons.der');
    writeFileSync(file, pem('pyca/crl_all_reasons.pem', 'X509 CRL'));
    const r = store.import(file, new X509Certificate(pem('pyca/crl_ca.pem', 'CERTIFICATE')), { now: new Date('2017-09-01T00:00:00Z') });
    expect(r).toMatchObject({ kind: 'full', entries: 9, revokedInForce: 8 });
    const reasons = [1, 0, 1, 2, 3, 4, 5, 6];
    for (const [i, reason] of reasons.entries()) expect(store.query(r.issuerId, Buffer.from([i + 1]))?.row).toMatchObject({ reason });
    expect(store.query(r.issuerId, Buffer.from([9]))).toMatchObject({ row: undefined });
  });

  it('never accepts a CRL pyca refuses (zero accepted rejections)', () => {
    expect(cases.filter((c) => PYCA_REFUSES.has(c.id) && outcome(c).accepted).map((c) => c.id)).toEqual([]);
  });

  // Expected flags as `openssl crl -text` (OpenSSL 3.0) prints each issuingDistributionPoint.
  const IDP: Record<string, { dp: boolean; user?: true; ca?: true; reasons?: true; indirect?: true; attr?: true }> = {
    crl_idp_fullname_only: { dp: true },
    crl_idp_fullname_only_user: { dp: true, user: true },
    crl_idp_fullname_only_aa: { dp: true, attr: true },
    crl_idp_fullname_indirect_crl: { dp: true, indirect: true },
    crl_idp_only_ca: { dp: true, ca: true },
    crl_idp_reasons_only: { dp: false, reasons: true },
    crl_idp_relative_user_all_reasons: { dp: true, user: true, reasons: true },
    crl_idp_relativename_only: { dp: true },
  };
  it.each(Object.entries(IDP))('%s: issuingDistributionPoint reads as OpenSSL prints it', (name, want) => {
    const ext = parseCrlExtensions(tbsFields(pem(`pyca/${name}.pem`, 'X509 CRL')).extensions!);
    expect(ext.issuingDistributionPoint).toEqual({
      ...(want.dp ? { distributionPoint: expect.any(Buffer) } : {}),
      onlyContainsUserCerts: !!want.user,
      onlyContainsCACerts: !!want.ca,
      onlySomeReasons: !!want.reasons,
      indirectCRL: !!want.indirect,
      onlyContainsAttributeCerts: !!want.attr,
    });
  });

  it('crl_delta_crl_indicator: read as a delta CRL on base 12345678901234567890 (pyca test_delta_crl_indicator)', () => {
    const ext = parseCrlExtensions(tbsFields(pem('pyca/crl_delta_crl_indicator.pem', 'X509 CRL')).extensions!);
    expect(BigInt('0x' + ext.baseCrlNumber)).toBe(12345678901234567890n);
  });
});
