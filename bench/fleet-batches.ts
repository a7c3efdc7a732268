// The fleet benchmark's batch generator (bench/fleet.bench.ts forks it: `fleet-batches.ts JOB.json`, one
// child process per worker): it provisions its share of the kiosks (device key, CSR, approval) and writes
// their audit batches, signed, before the measured phases — so those spend CPU on the collector, not on
// making records. Answers the parent with the kiosks' chains and its own timings.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { anchorStatement, genesisHash, headStatement, recordHash, sha256Hex } from '../daemon/audit/chain.ts';
import { sessionFacts } from '../daemon/audit/record.ts';
import { SEAL_ALGORITHM } from '../daemon/audit/seal.ts';
import { DeviceKey } from '../daemon/device/device-key.ts';
import type { ResultView } from '../daemon/result/result-view.ts';
import { loadFleetConfig } from '../fleet/config.ts';
import { approve, submitCsr } from '../fleet/enrolment.ts';
import { loadSigner, openPool } from '../fleet/setup.ts';
import { buildCsr, toPem } from '../provisioning/enroll.ts';

export interface GenJob {
  /** Kiosks this worker provisions: device key file, CSR submitted, approved, certificate in ID.pem. */
  provision: string[];
  keys: string;
  database: string;
  fleetConfig: string;
  kiosks: { id: string; keyFile: string; records: number }[];
  batch: number;
  sealed: number;
  dir: string;
}

async function provision(job: GenJob): Promise<void> {
  const db = openPool(job.database, 2);
  const signer = loadSigner(loadFleetConfig(job.fleetConfig));
  try {
    for (const id of job.provision) {
      const key = DeviceKey.loadOrGenerate(join(job.keys, `${id}.key`)).key;
      await submitCsr(db, toPem(buildCsr(key, { kioskId: id, site: 'bench-site', operator: 'bench-op' }), 'CERTIFICATE REQUEST'));
      writeFileSync(join(job.keys, `${id}.pem`), (await approve(db, signer, id, { days: 30 })).certPem);
    }
  } finally {
    await db.end();
  }
}

const RESULT = (i: number): ResultView => ({
  outcome: i % 5 === 0 ? 'refused' : 'verified',
  document: 'mynumber-jpki-auth',
  reasons: i % 5 === 0 ? ['TRUST_REVOKED'] : [],
  certificate: { serialNumber: (0x100000 + i).toString(16), fingerprintSha256: 'AB'.repeat(32), notAfter: '2030-01-01T00:00:00.000Z' },
  revocation: i % 5 === 0 ? 'revoked' : 'good',
});

/** One kiosk's chain, built exactly as AuditStore.append builds it, written as signed batch bodies. */
function generate(job: GenJob): { chains: Record<string, string>; batches: number } {
  const chains: Record<string, string> = {};
  let batches = 0;
  for (const k of job.kiosks) {
    const key = DeviceKey.load(k.keyFile);
    const chain = randomUUID();
    chains[k.id] = chain;
    const ctx = { kioskId: k.id, site: 'bench-site', operator: 'bench-op', softwareVersion: '0.1.0-bench', revocationSource: 'crl' };
    let prev = genesisHash(chain);
    let seq = 0;
    for (let b = 0; seq < k.records; b++) {
      const n = Math.min(job.batch, k.records - seq);
      const records = [];
      const anchorPrev = prev;
      for (let j = 0; j < n; j++) {
        seq++;
        const blob = Math.random() < job.sealed ? randomBytes(320) : null;
        const body = JSON.stringify({
          v: 1,
          seq,
          chain,
          ...sessionFacts(seq, RESULT(seq), ctx, new Date()),
          sealed: blob ? { alg: SEAL_ALGORITHM, sha256: sha256Hex(blob) } : null,
        });
        const hash = recordHash(prev, body);
        records.push({
          seq,
          time: new Date().toISOString(),
          body,
          sealed: blob ? blob.toString('base64') : null,
          prevHash: prev.toString('hex'),
          hash: hash.toString('hex'),
          sig: key.sign(hash).toString('base64'),
        });
        prev = hash;
      }
      const first = records[0]!;
      const last = records[records.length - 1]!;
      const text = JSON.stringify({
        kind: 'idkiosk-audit-batch',
        kioskId: k.id,
        chain,
        key: key.fingerprint,
        publicKey: key.publicKeyPem(),
        records,
        anchor: { seq: first.seq, hash: anchorPrev.toString('hex'), sig: key.sign(anchorStatement(chain, first.seq, anchorPrev)).toString('base64') },
        head: { seq: last.seq, hash: last.hash, sig: key.sign(headStatement(chain, last.seq, prev)).toString('base64') },
      });
      const body = Buffer.from(text);
      writeFileSync(join(job.dir, `${k.id}.${b}`), Buffer.concat([Buffer.from(key.sign(body).toString('base64url') + '\n'), body]));
      batches++;
    }
  }
  return { chains, batches };
}

if (process.send) {
  const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as GenJob;
  const t0 = performance.now();
  await provision(job);
  const provisionS = (performance.now() - t0) / 1000;
  const r = generate(job);
  process.send!({ ...r, provisionS, generateS: (performance.now() - t0) / 1000 - provisionS }, () => process.exit(0));
}
