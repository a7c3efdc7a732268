// Child process of the CRL benchmark (parse + verify only), so that its peak RSS is measured alone.
//   crl-verify-child.ts FILE CA.pem   → {"ms":…,"entries":…} (time measured inside the process)
import { readCrl } from '../daemon/trust/crl/crl-reader.ts';
import { loadCertificateFile, parseCrlIssuer } from '../daemon/trust/crl/cert-info.ts';

const [file, caPath] = process.argv.slice(2);
const ca = parseCrlIssuer(loadCertificateFile(caPath!));
const t0 = performance.now();
let withReason = 0;
const entries = readCrl(file!, { issuer: ca, onEntry: (_b, _s, _e, _t, r) => (withReason += r >= 0 ? 1 : 0) }).entries;
process.stdout.write(JSON.stringify({ ms: performance.now() - t0, entries, withReason }) + '\n');
