// Child process of the CRL benchmark (full import), so that its peak RSS is measured alone.
//   crl-child.ts FILE CA.pem DB    → {"ms":…,"entries":…} (time measured inside the process)
import { loadCertificateFile } from '../daemon/trust/crl/cert-info.ts';
import { importCrl } from '../daemon/trust/crl/importer.ts';

const [file, caPath, db] = process.argv.slice(2);
const ca = loadCertificateFile(caPath!);
const t0 = performance.now();
const entries = importCrl(db!, file!, ca).revokedInForce;
process.stdout.write(JSON.stringify({ ms: performance.now() - t0, entries }) + '\n');
