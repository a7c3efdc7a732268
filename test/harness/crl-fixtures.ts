// Synthetic CAs, leaf certificates and signed CRL files for CRL tests (no real identities).
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCert, buildCrl, keyIdOf, name, type Digest, type EntrySpec, type Signer } from '../../core/der-build.ts';

export interface TestCa {
  name: Buffer;
  key: KeyObject;
  publicKey: KeyObject;
  ski: Buffer;
  der: Buffer;
  cert: X509Certificate;
  signer: Signer;
}

const keyCache = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();
function keyPair(kind: 'rsa' | 'ec256' | 'ec384', slot: number) {
  const id = `${kind}:${slot}`;
  let k = keyCache.get(id);
  if (!k) {
    k =
      kind === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: kind === 'ec256' ? 'prime256v1' : 'secp384r1' });
    keyCache.set(id, k);
  }
  return k;
}

export interface CaOptions {
  cn?: string;
  kind?: 'rsa' | 'ec256' | 'ec384';
  digest?: Digest;
  pss?: boolean;
  /** key slot: different slots give different keys of the same kind */
  slot?: number;
  keyUsage?: number;
  withSki?: boolean;
}

export function makeCa(o: CaOptions = {}): TestCa {
  const k = keyPair(o.kind ?? 'rsa', o.slot ?? 0);
  const signer: Signer = { key: k.privateKey, digest: o.digest ?? 'sha256', pss: o.pss };
  const nm = name(o.cn ?? 'Test CRL CA');
  const ski = keyIdOf(k.publicKey);
  const der = buildCert({
    subject: nm,
    issuer: nm,
    publicKey: k.publicKey,
    signer,
    serial: 1n,
    ca: true,
    keyUsage: o.keyUsage,
    ski: o.withSki === false ? undefined : ski,
  });
  return { name: nm, key: k.privateKey, publicKey: k.publicKey, ski, der, cert: new X509Certificate(der), signer };
}

export function makeLeaf(ca: TestCa, serial: bigint | Buffer, opts: { cdpName?: Buffer; ca?: boolean } = {}): X509Certificate {
  const k = keyPair('ec256', 99);
  return new X509Certificate(
    buildCert({
      subject: name(`Leaf ${serial.toString()}`),
      issuer: ca.name,
      publicKey: k.publicKey,
      signer: ca.signer,
      serial,
      ca: opts.ca,
      aki: ca.ski,
      cdpName: opts.cdpName,
    }),
  );
}

export interface CaFiles {
  /** The CA certificate as PEM (the `--issuer` of `idkiosk crl import`). */
  caPem: string;
  /** The CRL, DER. */
  crl: string;
}

/**
 * The CA's PEM (ca.pem) and a full CRL it signed (`crlFile`) in `dir`: issued an hour ago, next update
 * `validForMs` ahead, with the given number and entries.
 */
export function writeCaAndCrl(dir: string, ca: TestCa, o: { crlFile?: string; crlNumber: number; entries: EntrySpec[]; validForMs?: number }): CaFiles {
  const caPem = join(dir, 'ca.pem');
  writeFileSync(caPem, ca.cert.toString());
  const crl = join(dir, o.crlFile ?? 'ca.crl');
  const now = Date.now();
  writeFileSync(
    crl,
    buildCrl({
      issuer: ca.name,
      signer: ca.signer,
      thisUpdate: new Date(now - 3600_000),
      nextUpdate: new Date(now + (o.validForMs ?? 86400_000)),
      crlNumber: o.crlNumber,
      aki: ca.ski,
      entries: o.entries,
    }),
  );
  return { caPem, crl };
}
