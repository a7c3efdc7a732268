// `idkiosk fleet …`: the operator's collector. Registered in daemon/cli/registry.ts and imported only when
// this command runs (the kiosk never loads pg).
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from '../daemon/cli/command.ts';
import { flags, usageError, HELP_OPTION, lists, parseCommandLine, printResult, strings, subcommandOrHelp } from '../core/cli-options.ts';
import { loadFleetConfig } from './config.ts';
import { applyRetention, ensurePartitions } from './db/partitions.ts';
import { migrate } from './db/migrate.ts';
import { approve, publishCrl, revoke, submitCsr } from './enrolment.ts';
import { exportAudit } from './export.ts';
import { startCollector } from './server.ts';
import { initFleet, loadSigner, openPool } from './setup.ts';
import { fleetStatus, formatStatus } from './status.ts';
import { writeFileAtomic } from '../daemon/device/device-key.ts';

const DEFAULT_CONFIG = process.env.IDKIOSK_FLEET_CONFIG ?? '/etc/idkiosk-fleet/fleet.json';

const HELP = `idkiosk fleet — the operator's collector for kiosk enrolment, heartbeats and audit trails (PostgreSQL)

Usage:
  idkiosk fleet init --dir DIR --database URL [--host NAME]… [--ca-name NAME] [--listen HOST:PORT] [--metrics HOST:PORT|none]
      Create the fleet CA (DIR/ca.key, mode 0600 — keep it, back it up offline), the collector's TLS
      certificate for the --host names, DIR/fleet.json, the database schema and the first CRL.
  idkiosk fleet serve
      Run one collector instance (several may share the database behind a load balancer).
  idkiosk fleet enrol --csr FILE
      Register a kiosk's CSR (from \`idkiosk provision enroll\`) brought by hand instead of POST /v1/enrol.
  idkiosk fleet approve KIOSK [--fingerprint SHA256] [--out CERT.pem]
      Issue the device certificate and pin the device key. --fingerprint: the key fingerprint the
      technician read on the kiosk; approval is refused when the request carries another key.
  idkiosk fleet revoke KIOSK [--reason TEXT]
      Refuse the kiosk from now on and publish a new CRL (every instance enforces it within seconds).
  idkiosk fleet crl
      Publish a fresh CRL (run daily from a timer: the CRL's nextUpdate is crlDays ahead).
  idkiosk fleet status [--json]
      Kiosks: last seen (SILENT after silentAfterSeconds), health, CRL age, printer, audit backlog, alerts.
  idkiosk fleet alerts [--kiosk K] [--json]
      Named findings: audit gaps, edits, inserts, deletions, reorders, rollbacks, replayed heartbeats.
  idkiosk fleet audit export --kiosk K --from ISO --to ISO --out FILE
      A kiosk-format audit database for an auditor plus FILE.pub.pem (the pinned device key); check it
      with \`idkiosk audit verify --db FILE --public-key FILE.pub.pem\`.
  idkiosk fleet retention
      Create next months' partitions and drop audit months older than retentionMonths.

Options:
  --config FILE   collector configuration (default ${DEFAULT_CONFIG}, env IDKIOSK_FLEET_CONFIG)
  --json          machine-readable output
  -h, --help      this text
`;

const usage = usageError('fleet');

function hostPort(v: string, what: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(v);
  if (!m?.[1]) throw usage(`${what} must be HOST:PORT`);
  return { host: m[1], port: Number(m[2]) };
}

function date(v: string | undefined, what: string): Date {
  const d = v ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw usage(`${what} must be an ISO date`);
  return d;
}

const command: Command = {
  name: 'fleet',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        ...strings('config', 'dir', 'database', 'ca-name', 'listen', 'metrics', 'csr', 'fingerprint', 'out', 'reason', 'kiosk', 'from', 'to'),
        ...lists('host'),
        ...flags('json'),
        ...HELP_OPTION,
      },
      { command: 'fleet', positionals: true },
    );
    const sub = subcommandOrHelp(io, HELP, values.help, positionals[0]);
    if (typeof sub === 'number') return sub;
    const arg = positionals[1];
    const out = (human: string, json: unknown) => printResult(io, values.json, json, human, 2);

    if (sub === 'init') {
      if (!values.dir || !values.database) throw usage('init needs --dir and --database');
      const r = await initFleet({
        dir: values.dir,
        database: values.database,
        hosts: values.host ?? [],
        caName: values['ca-name'],
        listen: values.listen ? hostPort(values.listen, '--listen') : undefined,
        metricsListen: values.metrics === 'none' ? null : values.metrics ? hostPort(values.metrics, '--metrics') : undefined,
      });
      out(`${r.created.map((f) => `created ${f}\n`).join('')}${r.migrations.map((m) => `applied ${m}\n`).join('')}config: ${r.configFile}\n`, r);
      return 0;
    }

    const configFile = values.config ?? DEFAULT_CONFIG;
    const config = loadFleetConfig(configFile);
    const pool = openPool(config.database, sub === 'serve' ? 20 : 2);
    try {
      switch (sub) {
        case 'serve': {
          await migrate(pool);
          await ensurePartitions(pool);
          const collector = await startCollector({
            pool,
            config,
            listen: config.listen,
            metricsListen: config.metricsListen,
            tls: {
              cert: readFileSync(config.tls.certFile),
              key: readFileSync(config.tls.keyFile),
              ca: readFileSync(config.ca.certFile),
              ticketKeyFile: config.tls.ticketKeyFile,
            },
            log: (l) => io.stderr(`${l}\n`),
          });
          io.stderr(
            `fleet collector on https://${config.listen.host}:${collector.port}${collector.metricsPort && config.metricsListen ? `, metrics on http://${config.metricsListen.host}:${collector.metricsPort}/metrics` : ''}\n`,
          );
          const hourly = setInterval(() => void ensurePartitions(pool).catch((e) => io.stderr(`partitions: ${(e as Error).message}\n`)), 3_600_000);
          await new Promise<void>((resolve) => {
            const stop = () => resolve();
            process.once('SIGTERM', stop);
            process.once('SIGINT', stop);
          });
          clearInterval(hourly);
          await collector.close();
          return 0;
        }
        case 'enrol': {
          if (!values.csr) throw usage('enrol needs --csr FILE');
          const r = await submitCsr(pool, readFileSync(values.csr, 'utf8'));
          out(`kiosk ${r.kioskId}: ${r.status}, device key ${r.keyFingerprint}\n`, r);
          return 0;
        }
        case 'approve': {
          if (!arg) throw usage('approve needs the kiosk id');
          const r = await approve(pool, loadSigner(config), arg, { days: config.certDays, fingerprint: values.fingerprint });
          if (values.out) writeFileAtomic(values.out, r.certPem, 0o644);
          out(`kiosk ${arg} approved: certificate ${r.serial}, device key ${r.keyFingerprint} pinned${values.out ? `, written to ${values.out}` : ''}\n`, {
            kiosk: arg,
            serial: r.serial,
            keyFingerprint: r.keyFingerprint,
            certificate: r.certPem,
          });
          return 0;
        }
        case 'revoke': {
          if (!arg) throw usage('revoke needs the kiosk id');
          const r = await revoke(pool, loadSigner(config), arg, { reason: values.reason ?? 'revoked by the operator', crlDays: config.crlDays });
          out(`kiosk ${arg} revoked; CRL ${r.crlNumber} published\n`, { kiosk: arg, crlNumber: r.crlNumber.toString() });
          return 0;
        }
        case 'crl': {
          const r = await publishCrl(pool, loadSigner(config), config.crlDays);
          out(`CRL ${r.crlNumber} published\n`, { crlNumber: r.crlNumber.toString() });
          return 0;
        }
        case 'status': {
          const rows = await fleetStatus(pool, { silentAfterSeconds: config.silentAfterSeconds });
          out(formatStatus(rows), rows);
          return 0;
        }
        case 'alerts': {
          const r = await pool.query(
            `SELECT kiosk_id AS kiosk, kind, nullif(chain, '') AS chain, nullif(seq, -1) AS seq, detail, created_at AS "createdAt" FROM alerts ${values.kiosk ? 'WHERE kiosk_id = $1' : ''} ORDER BY id`,
            values.kiosk ? [values.kiosk] : [],
          );
          out(
            r.rows.map((a) => `${a.createdAt.toISOString()}  ${a.kiosk}  ${a.kind}${a.seq !== null ? ` #${a.seq}` : ''}  ${a.detail}\n`).join('') ||
              'no alerts\n',
            r.rows,
          );
          return 0;
        }
        case 'audit': {
          if (arg !== 'export') throw usage('audit export is the only audit subcommand');
          if (!values.kiosk || !values.out) throw usage('audit export needs --kiosk and --out');
          if (existsSync(values.out)) throw usage(`${values.out} exists: choose a new file`);
          const r = await exportAudit(pool, { kioskId: values.kiosk, from: date(values.from, '--from'), to: date(values.to, '--to'), out: values.out });
          const pinned = await pool.query<{ public_key_pem: string }>('SELECT public_key_pem FROM kiosks WHERE kiosk_id = $1', [values.kiosk]);
          const keyFile = `${values.out}.pub.pem`;
          writeFileAtomic(keyFile, pinned.rows[0]?.public_key_pem ?? r.publicKeyPem, 0o644);
          out(
            `${r.records} records (${r.firstSeq}–${r.lastSeq} of chain ${r.chain}) in ${r.file}; device key in ${keyFile}\nverify: idkiosk audit verify --db ${r.file} --public-key ${keyFile}\n`,
            { ...r, publicKeyFile: keyFile },
          );
          return 0;
        }
        case 'retention': {
          const made = await ensurePartitions(pool);
          const r = await applyRetention(pool, config.retentionMonths);
          out(
            `${made.map((p) => `created ${p}\n`).join('')}${r.dropped.map((p) => `dropped ${p}\n`).join('')}${r.deletedFromDefault} out-of-range records removed\n`,
            { created: made, ...r },
          );
          return 0;
        }
        default:
          throw usage(`unknown subcommand ${sub}`);
      }
    } finally {
      await pool.end().catch(() => undefined);
    }
  },
};

export default command;
