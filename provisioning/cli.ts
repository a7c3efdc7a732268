// `idkiosk provision …`: the technician's installation path. Every step is idempotent (run it again and
// it changes nothing) and the steps can be done in any sessions; `provision status` shows where it stands.
import type { Command } from '../daemon/cli/command.ts';
import { flags, HELP_OPTION, lists, parseCommandLine, printResult, strings, subcommandOrHelp, usageError } from '../core/cli-options.ts';
import { DEFAULT_CONFIG_FILE, layout, loadValidConfig } from './config-file.ts';
import { provisionCrl } from './crl.ts';
import { enrollCsr, enrollInstall } from './enroll.ts';
import { provisionInit } from './init.ts';
import { resolveServiceAccount, SERVICE_USER } from './ownership.ts';
import { secureProvisionedFiles } from './secure-files.ts';
import { markStep, readState, STEPS } from './state.ts';
import { runSelftest } from './selftest/run.ts';
import { formatFingerprint, PURPOSES, trustAdd, trustList, trustRemove, type AnchorInfo } from './trust.ts';
import { at, defined } from '../core/checked.ts';
import { ErrorCodes } from '../core/errors.ts';

const HELP = `idkiosk provision — install and check a kiosk (run as root on the device)

Usage:
  idkiosk provision init --kiosk-id ID [--site ID] [--operator ID] [--fleet-url URL] [--audit-url URL] [--force]
      Device identity, the device key (EC P-256, generated here, mode 0600) and a validated config.
  idkiosk provision trust add PURPOSE FILE (--fingerprint SHA256 | --yes)
      Install a trust anchor. PURPOSE: ${PURPOSES.join(', ')}.
      Without --fingerprint/--yes the fingerprints are shown and nothing is installed (exit 3):
      compare them with the issuer's published values, then confirm with --fingerprint.
      csca also takes an ICAO CSCA master list (CMS); operator takes the operator's P-256 public key.
  idkiosk provision trust list
  idkiosk provision trust remove PURPOSE FINGERPRINT_PREFIX
  idkiosk provision crl --source URL|PATH --issuer CA.pem [--source … --issuer …] [--no-sync]
      Write the CRL sync configuration and run the first sync.
  idkiosk provision enroll --csr-out [FILE]        write a CSR for the operator's fleet CA
  idkiosk provision enroll --install CERT [--ca FLEET_CA.pem]
      Install the certificate the fleet CA returned (checked against the device key and the CA).
  idkiosk provision selftest [--simulated] [--no-test-page] [--keypad-wait SECONDS]
      Every check with PASS/WARN/FAIL and what to do. Exit 0 when nothing FAILs.
      While it runs the daemon (if up) shows maintenance mode.
  idkiosk provision status      which steps are done

Options:
  --config FILE   configuration file (default ${DEFAULT_CONFIG_FILE}, env IDKIOSK_CONFIG)
  --owner USER[:GROUP]  the account the daemon runs as (default ${SERVICE_USER} when run as root,
                  else the caller). Written files end up root:GROUP 0640 (dirs 0750), the device key
                  USER:GROUP 0600, the CRL store USER's; selftest checks exactly that.
  --json          machine-readable output
  -h, --help      this text
`;

const usage = usageError('provision');
const out = printResult;
const anchorLine = (a: AnchorInfo) =>
  `  [${a.purpose}] ${a.subject}\n      SHA-256 ${a.fingerprintSha256 ? formatFingerprint(a.fingerprintSha256) : '-'}${a.notAfter ? `\n      valid until ${a.notAfter}${a.expired ? '  EXPIRED' : ''}` : ''}\n      ${a.file}\n`;

const command: Command = {
  name: 'provision',
  help: HELP,
  async run(argv, io) {
    const { values: v, positionals } = parseCommandLine(
      argv,
      {
        ...strings('config', 'owner', 'kiosk-id', 'site', 'operator', 'fleet-url', 'audit-url', 'state-dir', 'run-dir', 'install', 'ca', 'keypad-wait'),
        ...lists('fingerprint', 'source', 'issuer'),
        ...flags('json', 'force', 'yes', 'no-sync', 'csr-out', 'simulated', 'no-test-page'),
        ...HELP_OPTION,
      },
      { command: 'provision', positionals: true },
    );
    const [first, ...rest] = positionals;
    const sub = subcommandOrHelp(io, HELP, v.help, first);
    if (typeof sub === 'number') return sub;
    const configFile = v.config ?? DEFAULT_CONFIG_FILE;
    // Resolved before anything is written: a missing service account stops the step, instead of
    // leaving root-only files the service then fails to read (EACCES at start).
    const readOnly = sub === 'status' || (sub === 'trust' && rest[0] === 'list');
    const account = !readOnly && ['init', 'trust', 'crl', 'enroll', 'selftest'].includes(sub) ? resolveServiceAccount(v.owner) : undefined;
    const secure = () => {
      let crlStore: string | undefined;
      try {
        crlStore = loadValidConfig(configFile).config.revocation.crlDb ?? undefined;
      } catch {
        crlStore = undefined; // no valid config yet: nothing beyond the config directory to hand over
      }
      secureProvisionedFiles(configFile, defined(account, ErrorCodes.INTERNAL, 'service account of a writing step'), crlStore);
    };
    switch (sub) {
      case 'init': {
        if (!v['kiosk-id']) throw usage('init needs --kiosk-id');
        const r = provisionInit({
          configFile,
          kioskId: v['kiosk-id'],
          site: v.site,
          operator: v.operator,
          fleetUrl: v['fleet-url'],
          auditUrl: v['audit-url'],
          stateDir: v['state-dir'],
          runDir: v['run-dir'],
          force: v.force,
        });
        secure();
        out(
          io,
          v.json,
          r,
          `kiosk ${r.kioskId}: config ${r.configChanged ? 'written' : 'unchanged'} (${r.configFile})\ndevice key ${r.keyCreated ? 'generated' : 'kept'}: ${r.keyFile}\n  public key SHA-256 ${formatFingerprint(r.keyFingerprint)}\n`,
        );
        return 0;
      }
      case 'trust': {
        const [action, a1, a2] = rest;
        if (action === 'list') {
          const list = trustList(configFile);
          out(io, v.json, { anchors: list }, list.length ? list.map(anchorLine).join('') : 'no trust anchors installed\n');
          return 0;
        }
        if (action === 'add') {
          if (!a1 || !a2) throw usage('trust add needs PURPOSE FILE');
          const r = trustAdd({ configFile, purpose: a1, file: a2, fingerprints: v.fingerprint, yes: v.yes });
          secure();
          if (r.needsConfirmation) {
            out(
              io,
              v.json,
              { confirm: r.needsConfirmation },
              `Not installed yet. Compare with the issuer's published fingerprint:\n${r.needsConfirmation.map(anchorLine).join('')}Then: idkiosk provision trust add ${a1} ${a2} --fingerprint <SHA-256>\n`,
            );
            return 3;
          }
          out(
            io,
            v.json,
            r,
            [...r.added.map((x) => `added${anchorLine(x).slice(1)}`), ...r.unchanged.map((x) => `already installed${anchorLine(x).slice(1)}`)].join(''),
          );
          return 0;
        }
        if (action === 'remove') {
          if (!a1 || !a2) throw usage('trust remove needs PURPOSE FINGERPRINT_PREFIX');
          const r = trustRemove(configFile, a1, a2);
          secure();
          out(io, v.json, { removed: r }, `removed${anchorLine(r).slice(1)}`);
          return 0;
        }
        throw usage('trust needs add, list or remove');
      }
      case 'crl': {
        const sources = v.source ?? [];
        const issuers = v.issuer ?? [];
        if (sources.length !== issuers.length) throw usage('each --source needs its --issuer');
        let r: Awaited<ReturnType<typeof provisionCrl>>;
        try {
          r = await provisionCrl({
            configFile,
            sources: sources.map((s, i) => ({ source: s, issuer: at(issuers, i, ErrorCodes.USAGE, '--issuer') })),
            sync: !v['no-sync'],
          });
        } finally {
          secure(); // a failed first sync may still have created the store as root
        }
        const failed = r.outcomes.filter((x) => x.result === 'error');
        out(
          io,
          v.json,
          r,
          `${r.sources} CRL source(s) in ${r.syncConfig}\n${r.outcomes.map((x) => `  ${x.source}: ${x.result}${x.crlNumber ? ` CRL ${x.crlNumber}` : ''}${x.message ? ` ${x.message}` : ''}\n`).join('')}`,
        );
        return failed.length ? 1 : 0;
      }
      case 'enroll': {
        if (v['csr-out']) {
          const r = enrollCsr(configFile);
          secure();
          if (rest[0]) (await import('node:fs')).writeFileSync(rest[0], r.pem);
          out(
            io,
            v.json,
            r,
            `${r.pem}CSR written to ${rest[0] ?? r.csrFile}; send it to the operator's fleet CA, then: idkiosk provision enroll --install CERT --ca FLEET_CA.pem\n`,
          );
          return 0;
        }
        if (v.install) {
          const r = enrollInstall(configFile, v.install, v.ca);
          secure();
          out(
            io,
            v.json,
            r,
            `certificate ${r.unchanged ? 'already installed' : 'installed'}: ${r.subject}\n  issued by ${r.issuer}, serial ${r.serialNumber}, valid until ${r.notAfter}\n`,
          );
          return 0;
        }
        throw usage('enroll needs --csr-out or --install CERT');
      }
      case 'selftest': {
        const { config } = loadValidConfig(configFile);
        const wait = v['keypad-wait'] === undefined ? 0 : Number(v['keypad-wait']);
        if (!Number.isFinite(wait) || wait < 0) throw usage('--keypad-wait must be seconds');
        const r = await runSelftest({ config, configFile, account, simulated: !!v.simulated, printTestPage: !v['no-test-page'], keypadWaitMs: wait * 1000 });
        markStep(layout(configFile).state, 'selftest', r.ok ? 'pass' : 'fail');
        secure();
        const text =
          r.checks.map((c) => `${c.status.padEnd(4)}  ${c.title}: ${c.detail}${c.remediation ? `\n      → ${c.remediation}` : ''}\n`).join('') +
          `\n${r.ok ? 'SELFTEST PASSED' : 'SELFTEST FAILED'} (${r.checks.filter((c) => c.status === 'FAIL').length} FAIL, ${r.checks.filter((c) => c.status === 'WARN').length} WARN)${r.simulated ? ' — simulated hardware' : ''}; maintenance mode: ${r.maintenance}\n`;
        out(io, v.json, r, text);
        return r.ok ? 0 : 1;
      }
      case 'status': {
        const s = readState(layout(configFile).state);
        out(
          io,
          v.json,
          s,
          STEPS.map((st) => {
            const step = s.steps[st];
            return `${step ? '✓' : '·'} ${st.padEnd(10)} ${step ? `${step.at}${step.detail ? ` (${step.detail})` : ''}` : ''}\n`;
          }).join(''),
        );
        return 0;
      }
      default:
        throw usage(`unknown subcommand '${sub}'`);
    }
  },
};
export default command;
