// `idkiosk trust import-master-list`: turn an ICAO CSCA master list into the PEM bundle of CSCAs that
// trust.csca names, after proving who signed it (daemon/documents/passport/pki/master-list.ts).
import { resolve } from 'node:path';
import { flags, lists, parseCommandLine, strings } from '../../../core/cli-options.ts';
import type { Command } from '../command.ts';
import { importMasterList, type SkipReason } from '../../documents/passport/pki/master-list.ts';

const HELP = `idkiosk trust — passport trust anchors from CSCA master lists

Usage:
  idkiosk trust import-master-list FILE --root CERT [--root CERT …] --out BUNDLE.pem [--at ISO-TIME] [--json]
      Verify an ICAO CSCA master list (CMS, ICAO 9303-12 §9) and write its usable CSCAs to BUNDLE.pem,
      replacing the file atomically. Nothing is written unless the list's signature verifies with the
      signer certificate it carries, that signer chains to one of the --root certificates and carries
      the master-list-signer extended key usage (2.23.136.1.1.3). Compare each root's SHA-256
      fingerprint with the issuing state's publication before using it (the report prints it).
      CSCAs that are not CA certificates, have expired, or use a weak key or signature algorithm are
      skipped and listed with the reason. Name BUNDLE.pem in trust.csca of the kiosk configuration.
      Exit 0 when the bundle was written, 2 when the list was refused.

Options:
  --root CERT     root certificate (PEM or DER) the list signer must chain to, e.g. the issuing state's CSCA
  --out FILE      PEM bundle to write
  --at ISO-TIME   validate at this time instead of now (re-checking an archived list)
  --json          machine-readable report
  -h, --help      this text
`;

const command: Command = {
  name: 'trust',
  help: HELP,
  async run(argv, io) {
    const cl = parseCommandLine(argv, { ...lists('root'), ...strings('out', 'at'), ...flags('json') }, { command: 'trust', positionals: true });
    const { usage, values: v } = cl;
    const [sub, file, ...extra] = cl.positionals;
    if (sub !== 'import-master-list') throw usage(sub ? `unknown subcommand '${sub}'` : 'missing subcommand');
    if (!file || extra.length) throw usage('give exactly one master list FILE');
    const roots = cl.require('root');
    const out = cl.require('out');
    let at: Date | undefined;
    if (v.at !== undefined) {
      at = new Date(v.at);
      if (!Number.isFinite(at.getTime())) throw usage(`--at ${v.at} is not a valid time`);
    }
    const r = importMasterList({ file: resolve(file), roots: roots.map((p) => resolve(p)), out: resolve(out), at });
    if (v.json) {
      io.stdout(JSON.stringify(r) + '\n');
      return 0;
    }
    const byReason = new Map<SkipReason, number>();
    for (const s of r.skipped) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
    io.stdout(
      `master list signed by ${r.signer.subject}\n` +
        `  under root ${r.root.subject}\n  root SHA-256 ${r.root.fingerprintSha256}\n` +
        `${r.listed} CSCAs listed: ${r.taken.length} taken, ${r.skipped.length} skipped` +
        (byReason.size ? ` (${[...byReason].map(([k, n]) => `${n} ${k}`).join(', ')})` : '') +
        '\n' +
        r.skipped.map((s) => `  skipped [${s.reason}] ${s.subject} — ${s.detail}\n`).join('') +
        `wrote ${r.out}\n`,
    );
    return 0;
  },
};

export default command;
