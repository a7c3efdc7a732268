// `idkiosk audit …`: verify, inspect and maintain the hash-chained audit trail.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AuditStore, openAuditDb } from '../../audit/audit-store.ts';
import { verifyAudit } from '../../audit/verify.ts';
import { loadConfig, type KioskConfig } from '../../config/config.ts';
import { DeviceKey } from '../../device/device-key.ts';
import { flags, HELP_OPTION, parseCommandLine, strings, subcommandOrHelp } from '../../../core/cli-options.ts';
import type { Command } from '../command.ts';

const DEFAULT_CONFIG = process.env.IDKIOSK_CONFIG ?? '/etc/idkiosk/config.json';

const HELP = `idkiosk audit — the hash-chained, device-signed audit trail

Usage:
  idkiosk audit verify [--db PATH] [--public-key PEM] [--json]
      Walk the chain from its signed anchor to its signed head and report every record that was
      edited, deleted, inserted or reordered. Exit 0 intact, 1 tampered.
      The device public key comes from --public-key (the operator's pinned copy) or from the device
      key file named in the config; only as a last resort from the database itself (reported).
  idkiosk audit status [--db PATH] [--json]
      Chain id, head, records kept, records waiting for upload.
  idkiosk audit prune [--db PATH]
      Apply the retention settings now (audit.retentionDays, audit.sealedRetentionDays).
  idkiosk audit wipe --yes [--db PATH]
      Delete every record and start a new chain (decommissioning). Records not yet uploaded are lost.

Options:
  --config FILE   kiosk configuration (default ${DEFAULT_CONFIG}, env IDKIOSK_CONFIG)
  --db PATH       audit database (default: audit.db from the config)
  --json          machine-readable output
  -h, --help      this text
`;

function configOrNull(file: string, explicit: boolean): KioskConfig | null {
  try {
    return loadConfig(file);
  } catch (e) {
    if (explicit) throw e;
    return null;
  }
}

const command: Command = {
  name: 'audit',
  help: HELP,
  async run(argv, io) {
    const { values, positionals, usage } = parseCommandLine(
      argv,
      { ...strings('config', 'db', 'public-key'), ...flags('json', 'yes'), ...HELP_OPTION },
      { command: 'audit', positionals: true },
    );
    const sub = subcommandOrHelp(io, HELP, values.help, positionals[0]);
    if (typeof sub === 'number') return sub;
    const cfg = configOrNull(values.config ?? DEFAULT_CONFIG, values.config !== undefined);
    const dbFile = values.db ?? cfg?.audit.db;
    if (!dbFile) throw usage('no audit database: give --db or set audit.db in the config');

    switch (sub) {
      case 'verify': {
        let key: KeyObject | undefined;
        if (values['public-key']) key = createPublicKey(readFileSync(values['public-key']));
        else if (cfg?.device.keyFile) key = DeviceKey.load(cfg.device.keyFile).publicKey;
        const db = openAuditDb(dbFile, true);
        try {
          const r = verifyAudit(db, key);
          if (values.json) io.stdout(JSON.stringify(r) + '\n');
          else {
            io.stdout(`chain ${r.chain ?? '-'}: ${r.records} records (${r.firstSeq ?? '-'}–${r.lastSeq ?? '-'}), key from ${r.keySource}\n`);
            if (r.keySource === 'database') io.stderr('warning: verified against the key stored in the database; pass --public-key for an independent check\n');
            for (const p of r.problems) io.stdout(`  ${p.kind.toUpperCase()}${p.seq !== null ? ` at ${p.seq}` : ''}: ${p.message}\n`);
            if (r.sealedErased) io.stdout(`  ${r.sealedErased} sealed personal-data blobs erased by retention (allowed)\n`);
            io.stdout(r.ok ? 'OK: the audit trail is intact\n' : `TAMPERED: ${r.problems.length} problem(s)\n`);
          }
          return r.ok ? 0 : 1;
        } finally {
          db.close();
        }
      }
      case 'status': {
        const db = openAuditDb(dbFile, true);
        try {
          const meta = (k: string) => (db.prepare('SELECT v FROM meta WHERE k = ?').get(k) as { v: string } | undefined)?.v;
          const head = JSON.parse(meta('head') ?? 'null') as { seq: number; hash: string } | null;
          const n = db.prepare('SELECT count(*) n, min(seq) lo, max(seq) hi, min(time) t0, max(time) t1 FROM records').get() as Record<
            string,
            number | string | null
          >;
          const pending = (db.prepare('SELECT count(*) n FROM outbox').get() as { n: number }).n;
          const s = {
            chain: meta('chain') ?? null,
            key: meta('key') ?? null,
            head: head ? { seq: head.seq, hash: head.hash } : null,
            records: n.n,
            firstSeq: n.lo,
            lastSeq: n.hi,
            oldest: n.t0,
            newest: n.t1,
            pendingUpload: pending,
          };
          if (values.json) io.stdout(JSON.stringify(s) + '\n');
          else
            io.stdout(
              `chain ${s.chain}\nhead ${s.head?.seq ?? 0} ${s.head?.hash ?? ''}\nrecords ${s.records} (${s.oldest ?? '-'} … ${s.newest ?? '-'})\nwaiting for upload ${pending}\n`,
            );
          return 0;
        } finally {
          db.close();
        }
      }
      case 'prune':
      case 'wipe': {
        if (sub === 'wipe' && !values.yes) throw usage('audit wipe deletes every record: add --yes');
        if (!cfg?.device.keyFile) throw usage(`${sub} signs a new chain anchor: the config must name device.keyFile`);
        const store = new AuditStore(dbFile, DeviceKey.load(cfg.device.keyFile));
        try {
          if (sub === 'wipe') {
            const pending = store.pendingCount();
            const chain = store.wipe();
            io.stdout(`audit trail wiped (${pending} records had not been uploaded); new chain ${chain}\n`);
          } else {
            const r = store.prune(cfg.audit.retentionDays, cfg.audit.sealedRetentionDays);
            io.stdout(`${r.removed} records pruned, ${r.erased} sealed blobs erased\n`);
          }
          return 0;
        } finally {
          store.close();
        }
      }
      default:
        throw usage(`unknown subcommand '${sub}'`);
    }
  },
};
export default command;
