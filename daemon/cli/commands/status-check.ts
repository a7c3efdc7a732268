// `idkiosk status-check`: 現況確認 — re-checks the JPKI signing certificates in the audit trail against
// the revocation data in force now (OCSP when configured, then the CRL store).
import { loadConfig } from '../../config/config.ts';
import { flags, HELP_OPTION, parseCommandLine, strings } from '../../../core/cli-options.ts';
import { statusCheckFromConfig } from '../../policy/status-check-config.ts';
import type { Command } from '../command.ts';

const DEFAULT_CONFIG = process.env.IDKIOSK_CONFIG ?? '/etc/idkiosk/config.json';

const HELP = `idkiosk status-check — 現況確認: are the JPKI signing certificates the kiosk verified still current?

Usage:
  idkiosk status-check [--config FILE] [--db PATH] [--since ISO-TIME] [--json]

For every JPKI signing certificate (issuer + serial) of a verified 'mynumber-sign' session in the audit
trail, asks the revocation sources in force now (revocation.ocsp when configured, then the CRL store
revocation.crlDb) and reports:
  unchanged                                 still valid
  revoked (details changed or card lost)    a 署名用電子証明書 is revoked when the holder's name or
                                            address changes or the card is reported lost
  unknown (<code>)                          no current answer (e.g. CRL_STALE, CRL_NOT_FOUND)
Exit status: 0 all unchanged, 1 some revoked, 3 some unknown (none revoked), 2 usage/config error.

Options:
  --config FILE     kiosk configuration (default ${DEFAULT_CONFIG}, env IDKIOSK_CONFIG)
  --db PATH         audit database (default: audit.db from the config)
  --since ISO-TIME  only sessions at or after this time
  --json            machine-readable output
  -h, --help        this text
`;

const command: Command = {
  name: 'status-check',
  help: HELP,
  async run(argv, io) {
    const { values, usage } = parseCommandLine(argv, { ...strings('config', 'db', 'since'), ...flags('json'), ...HELP_OPTION });
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    const cfg = loadConfig(values.config ?? DEFAULT_CONFIG);
    if (values.db) cfg.audit = { ...cfg.audit, db: values.db };
    let since: Date | undefined;
    if (values.since !== undefined) {
      since = new Date(values.since);
      if (Number.isNaN(since.getTime())) throw usage('--since must be an ISO 8601 time');
    }
    const check = statusCheckFromConfig(cfg);
    if (!check) throw usage('no audit database: give --db or set audit.db in the config');
    const report = await check({ since });
    if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else {
      for (const c of report.certificates) {
        io.stdout(
          `${c.serialNumber}  ${c.summary}  [${c.source ?? '-'} ${c.checkedAt}]${c.revokedAt ? ` revoked at ${c.revokedAt}${c.reason ? ` (${c.reason})` : ''}` : ''}  records ${c.records.join(',')}\n`,
        );
        if (c.successor) io.stdout(`    → successor ${c.successor.serialNumber}: ${c.successor.state}\n`);
      }
      io.stdout(
        `${report.certificates.length} certificates: ${report.counts.unchanged} unchanged, ${report.counts.revoked} revoked, ${report.counts.unknown} unknown\n`,
      );
    }
    return report.counts.revoked ? 1 : report.counts.unknown ? 3 : 0;
  },
};

export default command;
