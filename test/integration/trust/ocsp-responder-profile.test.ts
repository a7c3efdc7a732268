// The OCSP responder certificate goes through the one path validator (chain.ts, ocspResponderProfile):
// RFC 6960 §4.2.2.2 accepts a response signed by the CA itself or by a delegated responder that the CA
// issued directly with id-kp-OCSPSigning. The responses come from `openssl ocsp` in offline responder mode
// (-reqin/-respout), so the bytes under test are OpenSSL's, not the kiosk's; the certificates are synthetic.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJpkiSignCa, generateRsaKeyPair, issueJpkiSignCert, type TestCertificate } from '../../../drivers/sim/pki.ts';
import { certIdFor, checkResponse, encodeRequest, type CertId } from '../../../daemon/trust/ocsp/ocsp-message.ts';

let dir: string;
let ca: TestCertificate;
let id: CertId;

const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

/** A responder certificate issued by `issuer` (PEM file + key files in `dir`), with the extensions given. */
function responder(name: string, issuer: TestCertificate, ext: string, days = 30): string[] {
  writeFileSync(file(`${name}-ca.pem`), issuer.pem);
  writeFileSync(file(`${name}-ca.key`), issuer.privateKeyPem);
  openssl(
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    file(`${name}.key`),
    '-subj',
    `/CN=${name}`,
    '-out',
    file(`${name}.csr`),
  );
  writeFileSync(file(`${name}.ext`), `${ext}\nauthorityKeyIdentifier=keyid\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    file(`${name}.csr`),
    '-CA',
    file(`${name}-ca.pem`),
    '-CAkey',
    file(`${name}-ca.key`),
    '-set_serial',
    '4242',
    '-days',
    String(days),
    '-extfile',
    file(`${name}.ext`),
    '-out',
    file(`${name}.pem`),
  );
  return ['-rsigner', file(`${name}.pem`), '-rkey', file(`${name}.key`)];
}

/** OpenSSL's answer to the kiosk's request for the leaf, signed as `signer` says. */
function respond(signer: string[]): Buffer {
  writeFileSync(file('req.der'), encodeRequest(id, null));
  openssl('ocsp', '-index', file('index.txt'), '-CA', file('ca.pem'), ...signer, '-reqin', file('req.der'), '-respout', file('resp.der'), '-ndays', '1');
  return readFileSync(file('resp.der'));
}

const check = (resp: Buffer) => checkResponse(resp, id, ca.x509, { now: new Date(), nonce: null });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-ocsp-responder-'));
  ca = createJpkiSignCa();
  const leaf = issueJpkiSignCert(ca, { keyPair: generateRsaKeyPair() });
  id = certIdFor(leaf.x509, ca.x509);
  writeFileSync(file('ca.pem'), ca.pem);
  writeFileSync(file('ca.key'), ca.privateKeyPem);
  writeFileSync(file('index.txt'), `V\t301231000000Z\t\t${leaf.x509.serialNumber}\tunknown\t/CN=leaf\n`);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('OCSP responder certificate through the path validator (RFC 6960 §4.2.2.2)', () => {
  it('accepts the CA itself and a delegated responder it issued with id-kp-OCSPSigning', () => {
    expect(check(respond(['-rsigner', file('ca.pem'), '-rkey', file('ca.key')]))).toMatchObject({ status: 'good' });
    expect(check(respond(responder('delegated', ca, 'extendedKeyUsage=OCSPSigning\nkeyUsage=critical,digitalSignature')))).toMatchObject({ status: 'good' });
  });

  it('refuses a responder certificate without id-kp-OCSPSigning', () => {
    expect(() => check(respond(responder('no-eku', ca, 'keyUsage=critical,digitalSignature')))).toThrow(expect.objectContaining({ code: 'OCSP_BAD_RESPONSE' }));
    expect(() => check(respond(responder('other-eku', ca, 'extendedKeyUsage=serverAuth,clientAuth')))).toThrow(
      expect.objectContaining({ code: 'OCSP_BAD_RESPONSE' }),
    );
  });

  it('refuses an OCSPSigning responder issued by another CA, even one with the same name', () => {
    const impostor = createJpkiSignCa();
    expect(impostor.x509.subject).toBe(ca.x509.subject);
    expect(() => check(respond(responder('impostor', impostor, 'extendedKeyUsage=OCSPSigning')))).toThrow(
      expect.objectContaining({ code: 'OCSP_BAD_RESPONSE' }),
    );
  });

  it('refuses an OCSPSigning responder that is itself a CA certificate', () => {
    expect(() =>
      check(respond(responder('ca-responder', ca, 'extendedKeyUsage=OCSPSigning\nbasicConstraints=critical,CA:TRUE\nsubjectKeyIdentifier=hash'))),
    ).toThrow(expect.objectContaining({ code: 'OCSP_BAD_RESPONSE' }));
  });
});
