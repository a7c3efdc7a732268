// crlExtensions ([0] EXPLICIT Extensions): CRL number, delta CRL indicator, issuing distribution point,
// authority key identifier. Any other extension marked critical rejects the CRL (RFC 5280 §5.2).
import { at } from '../../../core/checked.ts';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
import { DerReader, integerHex, malformed } from './der.ts';
import { OID } from './oids.ts';

export interface IssuingDistributionPoint {
  /** DER of the DistributionPointName (content of the [0] field), when the CRL is partitioned */
  distributionPoint?: Buffer;
  onlyContainsUserCerts: boolean;
  onlyContainsCACerts: boolean;
  onlySomeReasons: boolean;
  indirectCRL: boolean;
  onlyContainsAttributeCerts: boolean;
}

export interface CrlExtensions {
  /** CRL number as lowercase hex without leading zeros */
  crlNumber?: string;
  /** deltaCRLIndicator: the CRL number of the base CRL this delta applies to */
  baseCrlNumber?: string;
  authorityKeyId?: Buffer;
  issuingDistributionPoint?: IssuingDistributionPoint;
}

/** Non-critical by nature or understood well enough to ignore. */
const TOLERATED = new Set<string>([OID.freshestCRL, OID.issuerAltName, OID.authorityInfoAccess]);
const MAX_CRL_NUMBER_OCTETS = 20;

export function parseCrlExtensions(block: Buffer): CrlExtensions {
  const top = new DerReader(block);
  const wrapped = top.inner(top.read(0xa0, 'crlExtensions'));
  top.expectEnd('crlExtensions');
  const list = wrapped.inner(wrapped.read(0x30, 'Extensions'));
  wrapped.expectEnd('Extensions');
  if (list.done) throw malformed('empty crlExtensions');
  const out: CrlExtensions = {};
  const seen = new Set<string>();
  while (!list.done) {
    const ext = list.inner(list.read(0x30, 'Extension'));
    const oid = ext.value(ext.read(0x06, 'extnID')).toString('hex');
    let critical = false;
    if (ext.peekTag() === 0x01) {
      const c = ext.value(ext.read(0x01, 'critical'));
      if (c.length !== 1) throw malformed('critical flag is not one byte');
      critical = c[0] !== 0;
    }
    const value = ext.value(ext.read(0x04, 'extnValue'));
    ext.expectEnd('Extension');
    if (seen.has(oid)) throw malformed('duplicate CRL extension', { oid });
    seen.add(oid);
    const v = new DerReader(value);
    switch (oid) {
      case OID.cRLNumber:
        out.crlNumber = crlNumber(v, 'cRLNumber');
        break;
      case OID.deltaCRLIndicator:
        out.baseCrlNumber = crlNumber(v, 'BaseCRLNumber');
        break;
      case OID.authorityKeyIdentifier: {
        const aki = v.inner(v.read(0x30, 'authorityKeyIdentifier'));
        v.expectEnd('authorityKeyIdentifier');
        while (!aki.done) {
          const t = aki.read(undefined, 'authorityKeyIdentifier field');
          if (t.tag === 0x80) out.authorityKeyId = Buffer.from(aki.value(t));
        }
        break;
      }
      case OID.issuingDistributionPoint:
        out.issuingDistributionPoint = parseIdp(v);
        break;
      default:
        if (critical && !TOLERATED.has(oid)) {
          throw new KioskError(ErrorCodes.CRL_CRITICAL_EXTENSION, 'unsupported critical CRL extension', { oid });
        }
    }
  }
  return out;
}

function crlNumber(v: DerReader, what: string): string {
  const n = v.value(v.read(0x02, what));
  v.expectEnd(what);
  if (n.length > MAX_CRL_NUMBER_OCTETS + 1 || (n.length === MAX_CRL_NUMBER_OCTETS + 1 && n[0] !== 0)) {
    throw malformed(`${what} longer than 20 octets`);
  }
  if (n.length > 1 && n[0] === 0 && at(n, 1) < 0x80) throw malformed(`${what} is not minimal DER`);
  return integerHex(n);
}

function flag(v: DerReader, tag: number): boolean {
  if (v.peekTag() !== tag) return false;
  const b = v.value(v.read(tag));
  if (b.length !== 1) throw malformed('issuingDistributionPoint flag is not one byte');
  return b[0] !== 0;
}

function parseIdp(v: DerReader): IssuingDistributionPoint {
  const s = v.inner(v.read(0x30, 'issuingDistributionPoint'));
  v.expectEnd('issuingDistributionPoint');
  // RFC 5280 §5.2.5: an issuing distribution point with every field absent (an empty SEQUENCE) MUST NOT be issued.
  if (s.done) throw malformed('issuingDistributionPoint is an empty SEQUENCE');
  const idp: IssuingDistributionPoint = {
    onlyContainsUserCerts: false,
    onlyContainsCACerts: false,
    onlySomeReasons: false,
    indirectCRL: false,
    onlyContainsAttributeCerts: false,
  };
  if (s.peekTag() === 0xa0) idp.distributionPoint = Buffer.from(s.value(s.read(0xa0)));
  idp.onlyContainsUserCerts = flag(s, 0x81);
  idp.onlyContainsCACerts = flag(s, 0x82);
  if (s.peekTag() === 0x83) {
    s.read(0x83);
    idp.onlySomeReasons = true;
  }
  idp.indirectCRL = flag(s, 0x84);
  idp.onlyContainsAttributeCerts = flag(s, 0x85);
  s.expectEnd('issuingDistributionPoint');
  return idp;
}
