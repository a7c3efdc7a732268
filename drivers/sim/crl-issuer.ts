// A synthetic CA's CRL issuer, for the demo and for tests that need a revocation answer from the real CRL
// store (empty CRL → "good", a listed serial → "revoked", an old nextUpdate → "stale"). Small CRLs only;
// the benchmark has its own streaming generator.
import { createSign, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { TestCertificate } from './pki.ts';

const { asn1 } = forge;
const bin = (b: Buffer) => b.toString('binary');

export interface RevokedEntry {
  /** Serial as hex (as X509Certificate.serialNumber prints it). */
  serial: string;
  date: Date;
  /** RFC 5280 CRLReason code (1 keyCompromise, 4 superseded, …). */
  reason?: number;
}

export interface CrlOptions {
  revoked?: RevokedEntry[];
  thisUpdate?: Date;
  nextUpdate?: Date;
  crlNumber?: number;
}

function time(d: Date): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(d));
}

function integerFromHex(hex: string): forge.asn1.Asn1 {
  let h = hex.length % 2 ? `0${hex}` : hex;
  if (Number.parseInt(h.slice(0, 2), 16) & 0x80) h = `00${h}`;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bin(Buffer.from(h, 'hex')));
}

function ext(oid: string, valueDer: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(valueDer).getBytes()),
  ]);
}

/** DER CRL (v2, sha256WithRSAEncryption, CRL number, AKI) signed by the synthetic CA. */
export function issueCrl(ca: TestCertificate, o: CrlOptions = {}): Buffer {
  const now = Date.now();
  const thisUpdate = o.thisUpdate ?? new Date(now - 3600_000);
  const nextUpdate = o.nextUpdate ?? new Date(now + 7 * 86400_000);
  const sigAlg = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('1.2.840.113549.1.1.11').getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
  const issuerName = asn1.fromDer(bin(issuerNameDer(ca.x509)));
  const entries = (o.revoked ?? []).map((r) => {
    const parts = [integerFromHex(r.serial), time(r.date)];
    if (r.reason !== undefined) {
      const reason = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.ENUMERATED, false, String.fromCharCode(r.reason));
      parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [ext('2.5.29.21', reason)]));
    }
    return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
  });
  const crlNumber = integerFromHex((o.crlNumber ?? 1).toString(16));
  const aki = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, bin(ca.subjectKeyId)),
  ]);
  const tbsParts = [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, String.fromCharCode(1)),
    sigAlg,
    issuerName,
    time(thisUpdate),
    time(nextUpdate),
  ];
  if (entries.length) tbsParts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, entries));
  tbsParts.push(
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [ext('2.5.29.20', crlNumber), ext('2.5.29.35', aki)]),
    ]),
  );
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, tbsParts);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = createSign('sha256').update(tbsDer).sign(ca.privateKey);
  const crl = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    sigAlg,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\0' + bin(signature)),
  ]);
  return Buffer.from(asn1.toDer(crl).getBytes(), 'binary');
}

/** The DER of the certificate's subject Name (the CRL issuer must match it byte for byte). */
function issuerNameDer(cert: X509Certificate): Buffer {
  const c = asn1.fromDer(bin(cert.raw));
  const tbs = (c.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
  const hasVersion = tbs[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC;
  const subject = tbs[hasVersion ? 5 : 4]!;
  return Buffer.from(asn1.toDer(subject).getBytes(), 'binary');
}
