// OCSP messages against OpenSSL without a network: openssl parses the kiosk's request and answers it in
// offline responder mode (-reqin/-respout); the kiosk's checker accepts exactly the right answers, and
// any corruption of a valid response is refused with a stable code (fast-check), never read as "good".
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJpkiSignCa, generateRsaKeyPair, issueJpkiSignCert, type TestCertificate } from '../../../drivers/sim/pki.ts';
import { KioskError } from '../../../core/errors.ts';
import { certIdFor, checkResponse, encodeRequest } from '../../../daemon/trust/ocsp/ocsp-message.ts';
import { indexLine, ocspDatabaseArgs, ocspRespond, writeOcspDatabase } from '../../harness/openssl.ts';

let dir: string;
let ca: TestCertificate;
let leaf: TestCertificate;
let other: TestCertificate;
const nonce = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

const respond = (req: Buffer, extra: string[] = []): Buffer => ocspRespond(dir, ocspDatabaseArgs(dir), req, extra);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-ocsp-msg-'));
  ca = createJpkiSignCa();
  const kp = generateRsaKeyPair();
  leaf = issueJpkiSignCert(ca, { keyPair: kp });
  other = issueJpkiSignCert(ca, { keyPair: kp });
  writeOcspDatabase(dir, ca, [indexLine(leaf, 'leaf'), indexLine(other, 'other')]);
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('OCSP request', () => {
  it('openssl reads the kiosk request: SHA-1 CertID of the issuer, the serial, the nonce', () => {
    writeFileSync(join(dir, 'req.der'), encodeRequest(certIdFor(leaf.x509, ca.x509), nonce));
    const text = execFileSync('openssl', ['ocsp', '-reqin', join(dir, 'req.der'), '-req_text', '-noverify'], { encoding: 'utf8' });
    expect(text).toMatch(/Hash Algorithm: sha1/);
    expect(text.replace(/\s/g, '')).toContain(`SerialNumber:${leaf.x509.serialNumber}`);
    expect(text).toMatch(/OCSP Nonce:\s*\n\s*0410?00112233445566778899AABBCCDDEEFF/i);
    // The same CertID openssl computes itself.
    writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
    execFileSync('openssl', ['ocsp', '-issuer', join(dir, 'ca.pem'), '-cert', join(dir, 'leaf.pem'), '-no_nonce', '-reqout', join(dir, 'ref.der')]);
    const ref = execFileSync('openssl', ['ocsp', '-reqin', join(dir, 'ref.der'), '-req_text'], { encoding: 'utf8' });
    const hashes = (t: string) => [...t.matchAll(/Issuer (?:Name|Key) Hash: ([0-9A-F]+)/g)].map((m) => m[1]);
    expect(hashes(text)).toEqual(hashes(ref));
  });
});

describe('OCSP response checks', () => {
  it('good, with the nonce echoed; refused for another serial or a wrong nonce', () => {
    const id = certIdFor(leaf.x509, ca.x509);
    const resp = respond(encodeRequest(id, nonce));
    expect(checkResponse(resp, id, ca.x509, { now: new Date(), nonce })).toMatchObject({ status: 'good' });
    expect(() => checkResponse(resp, certIdFor(other.x509, ca.x509), ca.x509, { now: new Date(), nonce })).toThrow(/no answer for the certificate/);
    expect(() => checkResponse(resp, id, ca.x509, { now: new Date(), nonce: Buffer.alloc(16) })).toThrow(/nonce/);
  });

  it('stale or future responses are refused', () => {
    const id = certIdFor(leaf.x509, ca.x509);
    const resp = respond(encodeRequest(id, null), ['-ndays', '1']);
    expect(checkResponse(resp, id, ca.x509, { now: new Date(), nonce: null }).nextUpdate).not.toBeNull();
    expect(() => checkResponse(resp, id, ca.x509, { now: new Date(Date.now() + 3 * 86400_000), nonce: null })).toThrow(/stale/);
    expect(() => checkResponse(resp, id, ca.x509, { now: new Date(Date.now() - 3600_000), nonce: null })).toThrow(/future/);
  });

  it('property: any single corrupted byte or truncation of a valid response is a KioskError or the same answer, never a different one', () => {
    const id = certIdFor(leaf.x509, ca.x509);
    const resp = respond(encodeRequest(id, null));
    const now = new Date();
    fc.assert(
      fc.property(fc.nat(resp.length - 1), fc.integer({ min: 1, max: 255 }), fc.boolean(), (pos, x, truncate) => {
        const bad = truncate ? resp.subarray(0, pos) : Buffer.from(resp);
        if (!truncate) bad[pos]! ^= x;
        try {
          const a = checkResponse(bad, id, ca.x509, { now, nonce: null });
          // Only bytes outside the signed data and outside the fields we read may change without effect.
          expect(a.status).toBe('good');
        } catch (e) {
          expect(e).toBeInstanceOf(KioskError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a delegated responder must be issued by the CA for OCSP signing (id-kp-OCSPSigning)', () => {
    const id = certIdFor(leaf.x509, ca.x509);
    const responder = (name: string, eku: boolean) => {
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const ext = join(dir, `${name}.ext`);
      execFileSync(
        'openssl',
        ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', `/CN=${name}`, '-out', csr],
        { stdio: 'ignore' },
      );
      writeFileSync(ext, eku ? 'extendedKeyUsage=OCSPSigning\nkeyUsage=critical,digitalSignature\n' : 'keyUsage=critical,digitalSignature\n');
      execFileSync(
        'openssl',
        [
          'x509',
          '-req',
          '-in',
          csr,
          '-CA',
          join(dir, 'ca.pem'),
          '-CAkey',
          join(dir, 'ca.key'),
          '-set_serial',
          '4242',
          '-days',
          '30',
          '-extfile',
          ext,
          '-out',
          join(dir, `${name}.pem`),
        ],
        { stdio: 'ignore' },
      );
      return ['-rsigner', join(dir, `${name}.pem`), '-rkey', key];
    };
    const withArgs = (args: string[]) => {
      writeFileSync(join(dir, 'req.der'), encodeRequest(id, null));
      execFileSync(
        'openssl',
        ['ocsp', '-index', join(dir, 'index.txt'), '-CA', join(dir, 'ca.pem'), ...args, '-reqin', join(dir, 'req.der'), '-respout', join(dir, 'resp.der')],
        { stdio: 'ignore' },
      );
      return readFileSync(join(dir, 'resp.der'));
    };
    expect(checkResponse(withArgs(responder('delegated', true)), id, ca.x509, { now: new Date(), nonce: null })).toMatchObject({ status: 'good' });
    expect(() => checkResponse(withArgs(responder('no-eku', false)), id, ca.x509, { now: new Date(), nonce: null })).toThrow(/authorised responder/);
  });

  it('property: arbitrary bytes are refused with a KioskError', () => {
    const id = certIdFor(leaf.x509, ca.x509);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(() => checkResponse(Buffer.from(bytes), id, ca.x509, { now: new Date(), nonce: null })).toThrow(KioskError);
      }),
      { numRuns: 500 },
    );
  });

  it('a response for a revoked serial says revoked, with the reason', () => {
    writeFileSync(join(dir, 'index.txt'), `R\t301231000000Z\t251201000000Z,superseded\t${leaf.x509.serialNumber}\tunknown\t/CN=leaf\n`);
    const id = certIdFor(leaf.x509, ca.x509);
    expect(checkResponse(respond(encodeRequest(id, null)), id, ca.x509, { now: new Date(), nonce: null })).toMatchObject({
      status: 'revoked',
      reason: 'superseded',
      revokedAt: new Date('2025-12-01T00:00:00Z'),
    });
  });
});
