// `fleet init`: the files the operator controls (CA key and certificate, the collector's TLS key and
// certificate, the configuration) and the database schema with the first CRL. Safe to run again: an
// existing CA key is never replaced, an existing schema is migrated forward.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { writeFileAtomic } from '../daemon/device/device-key.ts';
import { makeCaCertificate, makeServerCertificate } from './ca/authority.ts';
import { FileCaSigner } from './ca/signer.ts';
import { DEFAULT_LIMITS, parseFleetConfig, type FleetConfig } from './config.ts';
import { migrate } from './db/migrate.ts';
import { ensurePartitions } from './db/partitions.ts';
import { currentCrl, publishCrl } from './enrolment.ts';
import { defined } from '../core/checked.ts';
import { ErrorCodes } from '../core/errors.ts';

export interface InitOptions {
  dir: string;
  database: string;
  hosts: string[];
  caName?: string;
  listen?: { host: string; port: number };
  metricsListen?: { host: string; port: number } | null;
  now?: Date;
}

export interface InitResult {
  configFile: string;
  config: FleetConfig;
  created: string[];
  migrations: string[];
}

export function openPool(database: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: database,
    max,
    // An acknowledgement promises the batch is stored: with synchronous_commit = off, COMMIT returns before
    // the WAL is written, and a PostgreSQL crash then loses batches the kiosks already deleted. So every
    // connection raises `off` to `on` for itself before it is used (stricter settings — remote_apply for a
    // synchronous replica — are kept); a connection that cannot is not used (fail closed).
    onConnect: async (client) => {
      await client.query(`SELECT set_config('synchronous_commit', 'on', false) WHERE current_setting('synchronous_commit') = 'off'`);
    },
  });
  // An idle client losing its connection (PostgreSQL restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export async function initFleet(o: InitOptions): Promise<InitResult> {
  const dir = resolve(o.dir);
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const now = o.now ?? new Date();
  const f = {
    caKey: join(dir, 'ca.key'),
    caCert: join(dir, 'ca.pem'),
    tlsKey: join(dir, 'server.key'),
    tlsCert: join(dir, 'server.pem'),
    crl: join(dir, 'crl.pem'),
    tickets: join(dir, 'tickets.key'),
    config: join(dir, 'fleet.json'),
  };
  const created: string[] = [];
  let signer: FileCaSigner;
  if (existsSync(f.caKey)) signer = FileCaSigner.load(f.caKey, existsSync(f.caCert) ? f.caCert : null);
  else {
    signer = FileCaSigner.generate(f.caKey);
    created.push(f.caKey);
  }
  if (!signer.certificatePem) {
    const pem = await makeCaCertificate(signer, o.caName ?? 'idkiosk fleet CA', now);
    writeFileAtomic(f.caCert, pem, 0o644);
    signer = signer.withCertificate(pem);
    created.push(f.caCert);
  }
  if (!existsSync(f.tlsCert) || !existsSync(f.tlsKey)) {
    const tls = await makeServerCertificate(signer, o.hosts.length ? o.hosts : ['localhost', '127.0.0.1'], now, 825);
    writeFileAtomic(f.tlsKey, tls.keyPem, 0o600);
    writeFileAtomic(f.tlsCert, tls.certPem, 0o644);
    created.push(f.tlsKey, f.tlsCert);
  }
  if (!existsSync(f.tickets)) {
    writeFileAtomic(f.tickets, randomBytes(48), 0o600);
    created.push(f.tickets);
  }
  let config: FleetConfig;
  if (existsSync(f.config)) config = parseFleetConfig(JSON.parse(readFileSync(f.config, 'utf8')));
  else {
    config = parseFleetConfig({
      database: o.database,
      listen: o.listen ?? { host: '0.0.0.0', port: 8443 },
      metricsListen: o.metricsListen === undefined ? { host: '127.0.0.1', port: 9465 } : o.metricsListen,
      tls: { certFile: f.tlsCert, keyFile: f.tlsKey, ticketKeyFile: f.tickets },
      ca: { certFile: f.caCert, keyFile: f.caKey },
      crlFile: f.crl,
      limits: DEFAULT_LIMITS,
    });
    writeFileAtomic(f.config, JSON.stringify(config, null, 2) + '\n', 0o640);
    created.push(f.config);
  }
  const pool = openPool(config.database, 2);
  try {
    const migrations = await migrate(pool);
    await ensurePartitions(pool, now);
    if (!(await currentCrl(pool))) await publishCrl(pool, signer, config.crlDays, now);
    const crl = defined(await currentCrl(pool), ErrorCodes.INTERNAL, 'the CRL just published');
    writeFileAtomic(f.crl, crl.pem, 0o644);
    return { configFile: f.config, config, created, migrations };
  } finally {
    await pool.end();
  }
}

export function loadSigner(config: FleetConfig): FileCaSigner {
  if (!config.ca.keyFile) throw new Error('ca.keyFile is not set in the fleet config: approve/revoke run where the CA key is');
  return FileCaSigner.load(config.ca.keyFile, config.ca.certFile);
}
