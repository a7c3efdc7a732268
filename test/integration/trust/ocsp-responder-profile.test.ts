// The OCSP responder certificate goes through the one path validator (chain.ts, ocspResponderProfile):
// RFC 6960 §4.2.2.2 accepts a response signed by the CA itself or by a delegated responder that the CA
// issued directly with id-kp-OCSPSigning. The responses come from `openssl ocsp` in offline responder mode
// (-reqin/-respout), so the bytes under test are OpenSSL's, not the kiosk's; the certificates are synthetic.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJpkiSignCa, generateRsaKeyPair, issueJpkiSignCert, type TestCertificate } from '../../../drivers/sim/pki.ts';
import { certIdFor, checkResponse, encodeRequest, type CertId } from '../../../daemon/trust/ocsp/ocsp-message.ts';
import { csrP256, indexLine, ocspRespond, signCsr, writeOcspDatabase } from '../../harness/openssl.ts';

let dir: string;
let ca: TestCertificate;
let id: CertId;

const file = (name: string) => join(dir, name);
/** A responder certificate issued by `issuer` (PEM file + key files in `dir`), with the extensions given. */
function responder(name: string, issuer: TestCertificate, ext: string, days = 30): string[] {
  writeFileSync(file(`${name}-ca.pem`), issuer.pem);
  writeFileSync(file(`${name}-ca.key`), issuer.privateKeyPem);
  csrP256({ keyout: file(`${name}.key`), out: file(`${name}.csr`), subj: `/CN=${name}` });
  writeFileSync(file(`${name}.ext`), `${ext}\nauthorityKeyIdentifier=keyid\n`);
  signCsr({
    csr: file(`${name}.csr`),
    ca: file(`${name}-ca.pem`),
    caKey: file(`${name}-ca.key`),
    serial: '4242',
    days,
    extfile: file(`${name}.ext`),
    out: file(`${name}.pem`),
  });
  return ['-rsigner', file(`${name}.pem`), '-rkey', file(`${name}.key`)];
}

/** OpenSSL's answer to the kiosk's request for the leaf, signed as `signer` says. */
const respond = (signer: string[]): Buffer =>
  ocspRespond(dir, ['-index', file('index.txt'), '-CA', file('ca.pem'), ...signer], encodeRequest(id, null), ['-ndays', '1']);

const check = (resp: Buffer) => checkResponse(resp, id, ca.x509, { now: new Date(), nonce: null });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-ocsp-responder-'));
  ca = createJpkiSignCa();
  const leaf = issueJpkiSignCert(ca, { keyPair: generateRsaKeyPair() });
  id = certIdFor(leaf.x509, ca.x509);
  writeOcspDatabase(dir, ca, [indexLine(leaf, 'leaf')]);
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
