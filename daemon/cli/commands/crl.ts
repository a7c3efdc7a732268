// `idkiosk crl …`: import, check, status and sync of the offline revocation store.
import { resolve } from 'node:path';
import { flags, parseCommandLine, strings, usageError } from '../../../core/cli-options.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import type { Command } from '../command.ts';
import { loadCertificateFile } from '../../trust/crl/cert-info.ts';
import { serialFromHex } from '../../trust/crl/der.ts';
import { CrlStore } from '../../trust/crl/store.ts';
import { CrlRevocationChecker } from '../../trust/crl/checker.ts';
import { loadSyncConfig, syncCrls, type SyncConfig } from '../../trust/crl/sync.ts';

const DEFAULT_SYNC_CONFIG = process.env.IDKIOSK_CRL_SYNC_CONFIG ?? '/etc/idkiosk/crl-sync.json';

const HELP = `idkiosk crl — offline revocation store (CRLs verified and kept in SQLite)

Usage:
  idkiosk crl import FILE --issuer CA.pem --db PATH [--json]
      Verify a DER CRL against the CA certificate and import it. A complete CRL replaces the one in
      force atomically; a delta CRL is applied on top of the base CRL number it names.
  idkiosk crl check SERIAL_HEX --issuer CA.pem --db PATH [--json] [--grace SECONDS]
      Revocation status of a certificate serial (hex digits, no separators; leading zero bytes are
      ignored). Prints {"status":"good|revoked|unknown",…}. Exit 0 good, 1 revoked, 3 unknown.
  idkiosk crl status --db PATH [--json]
      Each issuer's CRL number, thisUpdate, nextUpdate and entry count.
  idkiosk crl sync [--config FILE] [--db PATH] [--source URL|PATH --issuer CA.pem] [--json]
      Fetch the configured sources (HTTP(S) with ETag/If-Modified-Since and resumable download, or a
      local file/directory such as a USB stick), verify, import and log what changed. The config
      (default ${DEFAULT_SYNC_CONFIG}, env IDKIOSK_CRL_SYNC_CONFIG) is JSON:
        {"db": "/var/lib/idkiosk/crl", "maxBytes": 2147483648,
         "sources": [{"url": "https://…/ca.crl", "issuer": "/etc/idkiosk/ca.pem"},
                     {"path": "/media/usb/crl", "issuer": "/etc/idkiosk/ca.pem"}]}
      Exit 0 when every source synced (or was unchanged), 1 when any failed.

Options:
  --issuer FILE   CA certificate (PEM or DER) that signs the CRL
  --db PATH       store directory (created on first import)
  --json          machine-readable output
  --grace SECONDS use a CRL this long after its nextUpdate (check; default 0)
  -h, --help      this text
`;

const usage = usageError('crl');

/** The command line of one `crl` subcommand: `names` take a value, --json is a flag. */
const parseSub = <const N extends string>(argv: string[], ...names: N[]) =>
  parseCommandLine(argv, { ...strings(...names), ...flags('json') }, { command: 'crl', positionals: true });

function progressPrinter(io: CliIO, enabled: boolean) {
  let last = 0;
  let started = 0;
  return {
    update(what: string, bytes: number, entries: number) {
      if (!enabled) return;
      const now = Date.now();
      if (!started) started = now;
      if (now - last < 250) return;
      last = now;
      const secs = Math.max((now - started) / 1000, 0.001);
      io.stderr(`\r${what.slice(-40)}: ${(bytes / 1e6).toFixed(1)} MB, ${entries.toLocaleString('en')} entries, ${(bytes / 1e6 / secs).toFixed(1)} MB/s   `);
    },
    done() {
      if (enabled && last) io.stderr('\n');
    },
  };
}

async function runImport(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseSub(argv, 'issuer', 'db');
  const [file, extra] = positionals;
  if (!file || extra) throw usage('crl import needs exactly one FILE');
  if (!values.issuer || !values.db) throw usage('crl import needs --issuer and --db');
  const store = new CrlStore(values.db);
  const p = progressPrinter(io, !values.json && Boolean(process.stderr.isTTY));
  try {
    const r = store.import(file, loadCertificateFile(values.issuer), { source: resolve(file), onProgress: (b, n) => p.update(file, b, n) });
    p.done();
    if (values.json) io.stdout(JSON.stringify(r) + '\n');
    else {
      const what =
        r.kind === 'delta' ? `delta CRL ${r.crlNumber} on base ${r.baseCrlNumber}: +${r.added} −${r.removed}` : `${r.kind} CRL ${r.crlNumber ?? '(no number)'}`;
      io.stdout(`${what}; ${r.entries} entries in file, ${r.revokedInForce} revoked in force; nextUpdate ${r.nextUpdate}\n`);
      if (r.stale) io.stderr('warning: this CRL is already past its nextUpdate: checks will answer "unknown" (CRL_STALE)\n');
    }
    return 0;
  } finally {
    store.close();
  }
}

async function runCheck(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseSub(argv, 'issuer', 'db', 'grace');
  const [serialHex, extra] = positionals;
  if (!serialHex || extra) throw usage('crl check needs exactly one SERIAL_HEX');
  if (!values.issuer || !values.db) throw usage('crl check needs --issuer and --db');
  const grace = values.grace === undefined ? 0 : Number(values.grace);
  if (!Number.isFinite(grace) || grace < 0) throw usage('--grace must be a non-negative number of seconds');
  const serial = serialFromHex(serialHex);
  const checker = new CrlRevocationChecker({ store: new CrlStore(values.db, { recheckMs: 0 }), graceSeconds: grace });
  try {
    const s = checker.checkSerial(loadCertificateFile(values.issuer), serial);
    if (values.json) io.stdout(JSON.stringify({ serial: serial.toString('hex'), ...s }) + '\n');
    else if (s.status === 'revoked') io.stdout(`revoked since ${s.revokedAt}${s.reason ? ` (${s.reason})` : ''}\n`);
    else if (s.status === 'unknown') io.stdout(`unknown: ${s.reason}\n`);
    else io.stdout(`good (CRL ${s.crlNumber ?? '-'}, next update ${s.nextUpdate})\n`);
    return s.status === 'good' ? 0 : s.status === 'revoked' ? 1 : 3;
  } finally {
    checker.close();
  }
}

async function runStatus(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseSub(argv, 'db');
  if (positionals.length) throw usage('crl status takes no arguments');
  if (!values.db) throw usage('crl status needs --db');
  const store = new CrlStore(values.db);
  const list = store.status();
  if (values.json) io.stdout(JSON.stringify({ issuers: list }) + '\n');
  else if (!list.length) io.stdout('no CRLs in the store\n');
  else
    for (const s of list)
      io.stdout(
        `${s.issuerId}  CRL ${s.crlNumber ?? '-'}${s.deltaCrlNumber ? ` + delta ${s.deltaCrlNumber}` : ''}  thisUpdate ${s.thisUpdate}  nextUpdate ${s.nextUpdate}  ${s.entries} entries  (${s.source})\n`,
      );
  return 0;
}

async function runSync(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseSub(argv, 'config', 'db', 'source', 'issuer');
  if (positionals.length) throw usage('crl sync takes no positional arguments');
  let config: SyncConfig;
  if (values.source) {
    if (!values.issuer || !values.db) throw usage('--source needs --issuer and --db');
    const isUrl = /^https?:\/\//i.test(values.source);
    config = { db: values.db, sources: [isUrl ? { url: values.source, issuer: values.issuer } : { path: values.source, issuer: values.issuer }] };
    if (values.config) config = { ...loadSyncConfig(values.config), ...config };
  } else {
    config = loadSyncConfig(values.config ?? DEFAULT_SYNC_CONFIG);
    if (values.db) config.db = values.db;
  }
  const p = progressPrinter(io, !values.json && Boolean(process.stderr.isTTY));
  const outcomes = await syncCrls(config, { onProgress: (w, b, n) => p.update(w, b, n) });
  p.done();
  for (const o of outcomes) {
    if (values.json) io.stdout(JSON.stringify(o) + '\n');
    else {
      const detail =
        o.result === 'error' || o.result === 'skipped'
          ? `${o.code}: ${o.message ?? ''}`
          : o.result === 'delta'
            ? `CRL ${o.crlNumber}: +${o.added} −${o.removed}, ${o.revokedInForce} revoked in force`
            : o.result === 'full' || o.result === 'unchanged'
              ? `CRL ${o.crlNumber ?? '-'}: ${o.revokedInForce} revoked in force, nextUpdate ${o.nextUpdate}${o.stale ? ' (STALE)' : ''}`
              : '';
      io.stdout(`${o.source}${o.file && o.file !== o.source ? ` [${o.file}]` : ''}: ${o.result} ${detail}\n`);
    }
  }
  return outcomes.some((o) => o.result === 'error') ? 1 : 0;
}

const command: Command = {
  name: 'crl',
  help: HELP,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
      io.stdout(HELP);
      return sub ? 0 : 2;
    }
    switch (sub) {
      case 'import':
        return runImport(rest, io);
      case 'check':
        return runCheck(rest, io);
      case 'status':
        return runStatus(rest, io);
      case 'sync':
        return runSync(rest, io);
      default:
        throw usage(`unknown subcommand '${sub}'`);
    }
  },
};
export default command;
