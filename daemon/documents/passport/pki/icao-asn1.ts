// ICAO 9303 ASN.1 types carried in CMS, as @peculiar/asn1-schema classes (declared with the decorator
// functions called directly: the sources run type-stripped, without TypeScript decorators):
// LDSSecurityObject (9303-10 §4.6.2.2, the EF.SOD content) and CscaMasterList (9303-12 §9).
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';

/** SET OF ANY: each element's encoding as it stands (certificates kept as their DER). */
export class AnySet extends AsnArray<ArrayBuffer> {}
AsnType({ type: AsnTypeTypes.Set, itemType: AsnPropTypes.Any })(AnySet);

/** DataGroupHash ::= SEQUENCE { dataGroupNumber INTEGER, dataGroupHashValue OCTET STRING } */
export class DataGroupHash {
  dataGroupNumber = 0;
  dataGroupHashValue = new ArrayBuffer(0);
}
AsnProp({ type: AsnPropTypes.Integer })(DataGroupHash.prototype, 'dataGroupNumber');
AsnProp({ type: AsnPropTypes.OctetString })(DataGroupHash.prototype, 'dataGroupHashValue');

/** LDSVersionInfo ::= SEQUENCE { ldsVersion PrintableString, unicodeVersion PrintableString } */
export class LdsVersionInfo {
  ldsVersion = '';
  unicodeVersion = '';
}
AsnProp({ type: AsnPropTypes.PrintableString })(LdsVersionInfo.prototype, 'ldsVersion');
AsnProp({ type: AsnPropTypes.PrintableString })(LdsVersionInfo.prototype, 'unicodeVersion');

/** LDSSecurityObject ::= SEQUENCE { version, hashAlgorithm, dataGroupHashValues SEQUENCE OF DataGroupHash, ldsVersionInfo OPTIONAL } */
export class LdsSecurityObjectAsn {
  version = 0;
  hashAlgorithm = new AlgorithmIdentifier();
  dataGroupHashValues: DataGroupHash[] = [];
  ldsVersionInfo?: LdsVersionInfo;
}
AsnProp({ type: AsnPropTypes.Integer })(LdsSecurityObjectAsn.prototype, 'version');
AsnProp({ type: AlgorithmIdentifier })(LdsSecurityObjectAsn.prototype, 'hashAlgorithm');
AsnProp({ type: DataGroupHash, repeated: 'sequence' })(LdsSecurityObjectAsn.prototype, 'dataGroupHashValues');
AsnProp({ type: LdsVersionInfo, optional: true })(LdsSecurityObjectAsn.prototype, 'ldsVersionInfo');

/** CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate } */
export class CscaMasterList {
  version = 0;
  certList = new AnySet();
}
AsnProp({ type: AsnPropTypes.Integer })(CscaMasterList.prototype, 'version');
AsnProp({ type: AnySet })(CscaMasterList.prototype, 'certList');
