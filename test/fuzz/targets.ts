// The fuzz targets: one per parser of untrusted input reachable without hardware, each with a seed
// corpus built at run time from synthetic material (test CAs, OpenSSL's OCSP responder, the protocol's
// own message shapes).
// Judges: the byte parsers may throw only KioskError; the validators that return a verdict object
// (screen messages, request-targets, API bodies, printer status, evdev records) may not throw at all.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStart } from '../../daemon/api/api-server.ts';
import { parseConfig } from '../../daemon/config/config.ts';
import { parseClientMessage } from '../../daemon/server/protocol.ts';
import { parseRequestTarget } from '../../daemon/server/request-target.ts';
import { parseCrlIssuer } from '../../daemon/trust/crl/cert-info.ts';
import { readCrl } from '../../daemon/trust/crl/crl-reader.ts';
import { parseSignatureAlgorithm } from '../../daemon/trust/crl/signature.ts';
import { parseExtensions } from '../../daemon/trust/x509-extensions.ts';
import { certFields } from '../../daemon/trust/cert-fields.ts';
import { validateChain } from '../../daemon/trust/chain.ts';
import { parseCertificate } from '../../daemon/trust/crl/cert-info.ts';
import { parseCertificates, TrustStore } from '../../daemon/trust/trust-store.ts';
import { isKioskError } from '../../core/errors.ts';
import { X509Certificate } from 'node:crypto';
import { certIdFor, checkResponse, encodeRequest } from '../../daemon/trust/ocsp/ocsp-message.ts';
import { createJpkiAuthCa, createJpkiSignCa, generateRsaKeyPair, issueJpkiAuthCert, issueJpkiSignCert } from '../../drivers/sim/pki.ts';
import { decodeInputEvent, encodeInputEvent } from '../../drivers/keypad/evdev.ts';
import { StatusReader } from '../../drivers/printer/status.ts';
import { algorithmIdentifier, buildCrl } from '../../core/der-build.ts';
import { makeCa, makeLeaf } from '../harness/crl-fixtures.ts';
import { indexLine, ocspRespond, writeOcspDatabase } from '../harness/openssl.ts';
import { TamperedProven, type FuzzTarget } from './engine.ts';
import { certificateSignedParts, sameParts } from './signed-parts.ts';
import { DOCUMENT_TARGETS } from './document-targets.ts';
import { JUDGE_TARGETS } from './judge-targets.ts';

const never = () => false;
const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-08T00:00:00Z');
const text = (s: string) => Buffer.from(s, 'utf8');

function crlTarget(): FuzzTarget {
  // The reader takes a path: one small file rewritten per case, in RAM where there is a tmpfs.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'idkiosk-fuzz-crl-'));
  const file = join(dir, 'case.crl');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const cas = [makeCa(), makeCa({ kind: 'ec256' }), makeCa({ pss: true })];
  const issuers = cas.map((ca) => parseCrlIssuer(ca.der));
  let which = 0;
  return {
    name: 'crl',
    corpus: () =>
      cas.map((ca, i) =>
        buildCrl({
          issuer: ca.name,
          signer: ca.signer,
          thisUpdate: T0,
          nextUpdate: T1,
          crlNumber: 7 + i,
          aki: ca.ski,
          entries: [
            { serial: 0x1001n, reason: 1, date: new Date('2025-12-01T10:00:00Z') },
            { serial: 0x80n, invalidity: new Date('2025-11-30T00:00:00Z') },
          ],
        }),
      ),
    run: (input) => {
      writeFileSync(file, input);
      // Each input is read against every issuer in turn (the signature check runs for its own CA).
      readCrl(file, { issuer: issuers[which++ % issuers.length]!, onEntry: () => {}, chunkSize: 4096 });
    },
  };
}

function ocspTarget(): FuzzTarget {
  // Seeds from OpenSSL's responder (an independent implementation): good and revoked answers, with and
  // without the nonce, for a synthetic JPKI-style CA.
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-fuzz-ocsp-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const ca = createJpkiSignCa();
  const kp = generateRsaKeyPair();
  const leaf = issueJpkiSignCert(ca, { keyPair: kp });
  const revoked = issueJpkiSignCert(ca, { keyPair: kp });
  const id = certIdFor(leaf.x509, ca.x509);
  const nonce = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  return {
    name: 'ocsp',
    corpus: () => {
      const db = writeOcspDatabase(dir, ca, [indexLine(leaf, 'leaf'), indexLine(revoked, 'revoked', { revoked: '250101000000Z' })]);
      const respond = (req: Buffer) => ocspRespond(dir, db, req);
      return [respond(encodeRequest(id, nonce)), respond(encodeRequest(id, null)), respond(encodeRequest(certIdFor(revoked.x509, ca.x509), nonce))];
    },
    run: (input) => void checkResponse(input, id, ca.x509, { now: new Date(), nonce }),
  };
}

function signatureAlgorithmTarget(): FuzzTarget {
  return {
    name: 'crl-signature-algorithm',
    corpus: () => [makeCa().signer, makeCa({ kind: 'ec256' }).signer, makeCa({ pss: true }).signer].map((s) => algorithmIdentifier(s)),
    run: (input) => void parseSignatureAlgorithm(input),
  };
}

function x509ExtensionsTarget(): FuzzTarget {
  return {
    name: 'x509-extensions',
    corpus: () => {
      const ca = makeCa();
      return [ca.der, makeCa({ kind: 'ec256' }).der, Buffer.from(makeLeaf(ca, 0x1234n).raw), Buffer.from(makeLeaf(ca, 0x99n, { ca: true }).raw)];
    },
    run: (input) => void parseExtensions(input),
  };
}

/**
 * Certificates (trust anchors and leaves, DER or PEM): every certificate parser, then path validation
 * against the seeds' CAs. Judged too: a certificate whose signed parts (tbsCertificate, signatureValue)
 * differ from every genuine seed must never validate.
 */
function certificatesTarget(): FuzzTarget {
  const cas = [makeCa(), makeCa({ kind: 'ec256' }), makeCa({ pss: true })];
  const jpki = createJpkiAuthCa();
  const store = new TrustStore([...cas.map((ca) => new X509Certificate(ca.der)), jpki.x509]);
  const policy = () => ({ at: new Date(), leafKeyUsage: [], leafAuthorityKeyId: 'optional' as const });
  let genuine: (Buffer[] | null)[] = [];
  const pem = (b: Buffer) => Buffer.from(`-----BEGIN CERTIFICATE-----\n${b.toString('base64')}\n-----END CERTIFICATE-----\n`);
  return {
    name: 'certificates',
    corpus: () => {
      const leaves = [...cas.map((ca, i) => Buffer.from(makeLeaf(ca, BigInt(0x1234 + i)).raw)), Buffer.from(issueJpkiAuthCert(jpki).x509.raw)];
      for (const l of leaves) {
        const r = validateChain(new X509Certificate(l), store, policy());
        if (!r.valid) throw new Error(`certificates: a genuine seed does not validate: ${r.message}`);
      }
      genuine = leaves.map(certificateSignedParts);
      return [...leaves, ...cas.map((ca) => ca.der)];
    },
    run: (input) => {
      for (const f of [certFields, parseCertificate, parseExtensions]) {
        try {
          f(input);
        } catch (e) {
          if (!isKioskError(e)) throw e;
        }
      }
      let certs: X509Certificate[];
      try {
        parseCertificates(pem(input), 'fuzz');
        certs = parseCertificates(input, 'fuzz');
      } catch (e) {
        if (isKioskError(e)) return;
        throw e;
      }
      for (const cert of certs) {
        const r = validateChain(cert, store, policy());
        if (r.valid && !genuine.some((g) => sameParts(g, certificateSignedParts(input)))) {
          throw new TamperedProven(`certificates: a certificate with changed signed parts validated (${cert.subject})`);
        }
      }
    },
  };
}

function screenMessageTarget(): FuzzTarget {
  return {
    name: 'screen-json',
    corpus: () =>
      [
        '{"v":2,"type":"key","key":"enter"}',
        '{"v":2,"type":"pad","id":"abcdef"}',
        '{"v":2,"type":"cancel"}',
        '{"v":2,"type":"demo-insert","card":"mynumber"}',
        '{"v":2,"type":"demo-fault","fault":"printer-ok"}',
        '{"v":{"toString":" "},"type":"cancel"}',
      ].map(text),
    run: (input) => void parseClientMessage(input.toString('utf8')),
    accepts: never,
  };
}

function requestTargetTarget(): FuzzTarget {
  return {
    name: 'request-target',
    corpus: () =>
      [
        '/',
        '/ws?token=abcdefghijklmnop',
        '/healthz',
        '/v1/verifications/00000000-0000-4000-8000-000000000000/events',
        '//%25',
        '/demo/receipt.svg?token=x',
      ].map(text),
    run: (input) => void parseRequestTarget(input.toString('latin1')),
    accepts: never,
  };
}

function apiBodyTarget(): FuzzTarget {
  return {
    name: 'api-body',
    corpus: () =>
      [
        '{"document":"mynumber-jpki-auth","nonce":"n-1"}',
        '{"documents":["license","passport"],"audience":"app"}',
        '{"policy":"age-check","nonce":"x"}',
        '{"document":{"toString":1}}',
        '[]',
      ].map(text),
    run: (input) => {
      let body: unknown;
      try {
        body = JSON.parse(input.toString('utf8'));
      } catch {
        return; // the listener answers 400 before parseStart
      }
      void parseStart(body);
    },
    accepts: never,
  };
}

function configTarget(): FuzzTarget {
  return {
    name: 'config',
    corpus: () =>
      [
        '{}',
        '{"kioskId":"k-1","server":{"host":"127.0.0.1","port":8080},"documents":["license"],"timeouts":{"entryMs":30000}}',
        '{"api":{"enabled":true,"port":8081,"allow":["127.0.0.1","10.0.0.0/8"]},"health":{"port":9100}}',
        '{"revocation":{"crlDb":"/var/lib/idkiosk/crl","ocsp":{"url":"http://ocsp.example/","timeoutMs":2000}}}',
        '{"keypad":{"backend":"simulated"},"printer":{"transport":"memory"},"receipt":{"enabled":true}}',
      ].map(text),
    run: (input) => {
      let raw: unknown;
      try {
        raw = JSON.parse(input.toString('utf8'));
      } catch {
        return; // loadConfig reports unreadable JSON itself
      }
      parseConfig(raw);
    },
  };
}

function printerStatusTarget(): FuzzTarget {
  return {
    name: 'printer-status',
    corpus: () => [Buffer.from([0x12, 0x00, 0x00, 0x0f]), Buffer.from([0x16, 0x1e, 0x12, 0x00]), Buffer.from([0x10, 0x04, 0x01, 0x12, 0x7e])],
    run: (input) => {
      const r = new StatusReader();
      r.rtPending = 1;
      r.gsrPending = 1;
      r.push(input.subarray(0, input.length >> 1));
      r.push(input.subarray(input.length >> 1));
    },
    accepts: never,
  };
}

function evdevTarget(): FuzzTarget {
  return {
    name: 'evdev',
    corpus: () =>
      [24, 16].map((layout) =>
        Buffer.concat([
          encodeInputEvent({ sec: 1, usec: 2, type: 1, code: 2, value: 1 }, layout as 24 | 16),
          encodeInputEvent({ sec: 1, usec: 3, type: 0, code: 0, value: 0 }, layout as 24 | 16),
        ]),
      ),
    run: (input) => {
      // As the driver reads: whole records only, in either layout.
      for (const layout of [24, 16] as const) for (let off = 0; off + layout <= input.length; off += layout) decodeInputEvent(input, off, layout);
    },
    accepts: never,
  };
}

export const TARGETS: Record<string, () => FuzzTarget> = {
  crl: crlTarget,
  ocsp: ocspTarget,
  'crl-signature-algorithm': signatureAlgorithmTarget,
  'x509-extensions': x509ExtensionsTarget,
  certificates: certificatesTarget,
  'screen-json': screenMessageTarget,
  'request-target': requestTargetTarget,
  'api-body': apiBodyTarget,
  config: configTarget,
  'printer-status': printerStatusTarget,
  evdev: evdevTarget,
  ...DOCUMENT_TARGETS,
  ...JUDGE_TARGETS,
};
