// Deployment settings for the passport (config block `passport`):
//   masterListSigners      certificate files (PEM/DER) of the parties whose signature makes an ICAO CSCA
//                          master list in trust.csca acceptable: either the master-list signer certificate
//                          itself, or the CA (a CSCA) that issued it — then the signer must carry the
//                          master-list-signer extKeyUsage 2.23.136.1.1.3. A master list whose CMS signature does
//                          not verify, or whose signer is neither, is refused at load (TRUST_ANCHOR_LOAD):
//                          a list is only as trustworthy as its signer. Default [] (master lists refused;
//                          single CSCA certificates in trust.csca still load).
//   cscaCountryExceptions  [{ issuingState: 'XXX', cscaCountry: 'YY' }]: passports of DG1 issuing state
//                          XXX (ICAO 9303-3 code) may chain to a CSCA whose subject C is YY. Without an
//                          entry the CSCA country must be the issuing state's (issuing-state.ts). Default [].
import * as z from 'zod';
import { block, fileList, object, parseWith, text } from '../../config/schema-kit.ts';

const STATE_HINT = 'must be an ICAO 9303-3 issuing-state code (1–3 capital letters, e.g. "RKS")';
const COUNTRY_HINT = 'must be a two-letter country code as in the CSCA subject (e.g. "XK")';

export const passportSchema = block({
  masterListSigners: fileList('must be a list of certificate file paths').default(() => []),
  cscaCountryExceptions: z
    .array(
      object(
        { issuingState: text(/^[A-Z]{1,3}$/, STATE_HINT), cscaCountry: text(/^[A-Z]{2}$/, COUNTRY_HINT) },
        'must be an object { issuingState, cscaCountry }',
      ),
      { error: 'must be a list of { issuingState, cscaCountry }' },
    )
    .default(() => []),
});

export type PassportConfig = z.output<typeof passportSchema>;

export const DEFAULT_PASSPORT_CONFIG: PassportConfig = passportSchema.parse(undefined);

/** The `passport` block alone (the read CLI, tests); the daemon parses it as part of the whole file. */
export function parsePassportConfig(raw: unknown): PassportConfig {
  return parseWith(passportSchema, raw, ['passport']);
}
