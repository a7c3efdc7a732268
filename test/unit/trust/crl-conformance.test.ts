// BoringSSL's CRL unit-test cases (test/conformance/bssl-crl/, Apache-2.0, see NOTICE.md) through the whole
// kiosk path: `crl import` of the CRL under its CA, then the store's answer for the leaf. The expected answer
// is BoringSSL's, from the file name; the kiosk must never say good or revoked where BoringSSL says
// otherwise, and each case it answers differently is listed below with the reason (always stricter).
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CrlRevocationChecker } from '../../../daemon/trust/crl/checker.ts';
import { importCrl } from '../../../daemon/trust/crl/importer.ts';

const DIR = join(import.meta.dirname, '../../conformance/bssl-crl');
const VERIFY_AT = new Date('2017-03-09T00:00:00Z');
const SEVEN_DAYS = 7 * 24 * 3600;
const work = mkdtempSync(join(tmpdir(), 'idkiosk-crl-conf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Answer = 'good' | 'revoked' | 'unknown';
const expected = (file: string): Answer => (file.startsWith('good') ? 'good' : file.startsWith('revoked') ? 'revoked' : 'unknown');

function pemBlock(text: string, label: string): Buffer | null {
  const m = new RegExp(`-----BEGIN ${label}-----\\n([\\s\\S]*?)-----END ${label}-----`).exec(text);
  return m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : null;
}

async function answer(file: string): Promise<{ status: Answer; reason?: string }> {
  const text = readFileSync(join(DIR, file), 'utf8');
  const store = mkdtempSync(join(work, 'store-'));
  try {
    const leaf = new X509Certificate(pemBlock(text, 'CERTIFICATE')!);
    // BoringSSL's validated chain is [CERTIFICATE, CA CERTIFICATE, CA CERTIFICATE 2 if present]. In the key
    // rollover cases "CA CERTIFICATE" is the CA's new key, self-issued under its old key ("CA CERTIFICATE 2"),
    // which signed the CRL. The operator imports a CRL under the CA certificate that signed it; here each CA
    // certificate of the chain is offered to `crl import` in turn (one whose key does not verify is refused).
    const leafIssuer = new X509Certificate(pemBlock(text, 'CA CERTIFICATE')!);
    const above = pemBlock(text, 'CA CERTIFICATE 2') ? [new X509Certificate(pemBlock(text, 'CA CERTIFICATE 2')!)] : [];
    const crlFile = join(store, 'crl.der');
    writeFileSync(crlFile, pemBlock(text, 'CRL')!);
    let importError: unknown = null;
    for (const ca of [leafIssuer, ...above]) {
      try {
        importCrl(store, crlFile, ca, { now: VERIFY_AT });
        importError = null;
        break;
      } catch (e) {
        importError ??= e;
      }
    }
    if (importError) return { status: 'unknown', reason: `import: ${(importError as { code?: string }).code ?? (importError as Error).message}` };
    const checker = new CrlRevocationChecker({ store, now: () => VERIFY_AT, maxAgeSeconds: SEVEN_DAYS });
    try {
      const r = await checker.check(leaf, leafIssuer, above);
      return r.status === 'unknown' ? { status: 'unknown', reason: r.reason } : { status: r.status };
    } finally {
      checker.close();
    }
  } catch (e) {
    return { status: 'unknown', reason: `setup: ${(e as Error).message}` };
  }
}

/** Cases where the kiosk answers differently from BoringSSL, and why (each answers unknown: fails closed). */
const KNOWN_DIFFERENCES: Record<string, string> = {};

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.pem'))
  .sort();

describe('BoringSSL CRL cases through crl import + the CRL store', () => {
  it('covers every case of the suite', () => expect(files.length).toBe(66));

  for (const f of files) {
    it(`${f}: ${expected(f)}`, async () => {
      const got = await answer(f);
      if (KNOWN_DIFFERENCES[f]) expect(got.status).toBe('unknown');
      else expect(got, JSON.stringify(got)).toMatchObject({ status: expected(f) });
    });
  }

  it('key rollover: the CRL of the CA key above is used only when the path to it is given (RFC 5280 §6.3.3 (f))', async () => {
    const text = readFileSync(join(DIR, 'revoked_key_rollover.pem'), 'utf8');
    const [leaf, newKey, oldKey] = ['CERTIFICATE', 'CA CERTIFICATE', 'CA CERTIFICATE 2'].map((l) => new X509Certificate(pemBlock(text, l)!));
    const store = mkdtempSync(join(work, 'store-'));
    writeFileSync(join(store, 'crl.der'), pemBlock(text, 'CRL')!);
    importCrl(store, join(store, 'crl.der'), oldKey!, { now: VERIFY_AT });
    const checker = new CrlRevocationChecker({ store, now: () => VERIFY_AT, maxAgeSeconds: SEVEN_DAYS });
    try {
      expect(await checker.check(leaf!, newKey!)).toMatchObject({ status: 'unknown', reason: 'CRL_NOT_FOUND' });
      expect(await checker.check(leaf!, newKey!, [oldKey!])).toMatchObject({ status: 'revoked' });
      // a certificate above that did not certify the issuer's key (here: the issuer itself) names no other key
      expect(await checker.check(leaf!, newKey!, [newKey!])).toMatchObject({ status: 'unknown', reason: 'CRL_NOT_FOUND' });
    } finally {
      checker.close();
    }
  });

  it('never answers good or revoked where BoringSSL answers otherwise (zero accepted rejections)', async () => {
    const wrong: string[] = [];
    for (const f of files) {
      const got = await answer(f);
      if (got.status !== 'unknown' && got.status !== expected(f)) wrong.push(f);
    }
    expect(wrong).toEqual([]);
  });
});
