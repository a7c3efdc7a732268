// Every subcommand of `idkiosk`, with its one-line summary. Modules are imported only when their command
// runs: the top-level help needs none of them, and `idkiosk crl …` on a kiosk should not pay for loading
// the daemon, the printer and the simulators. Add a line here when a module gains a command.
import type { Command } from './command.ts';

export interface CommandEntry {
  name: string;
  /** One line for `idkiosk --help`. */
  summary: string;
  load: () => Promise<{ default: Command }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'daemon', summary: 'run the kiosk daemon (reader, session, screen)', load: () => import('./commands/daemon.ts') },
  { name: 'read', summary: 'verify the document in a PC/SC reader and print JSON (technicians, scripts)', load: () => import('./commands/read.ts') },
  {
    name: 'sim',
    summary: 'virtual cards (My Number, licence, residence card, passport) in pcscd via vpcd; synthetic test PKI',
    load: () => import('./commands/sim.ts'),
  },
  { name: 'crl', summary: 'offline revocation: import, check, status and sync of CRLs', load: () => import('./commands/crl.ts') },
  { name: 'printer', summary: 'receipt printer: test page and status', load: () => import('./commands/printer.ts') },
  { name: 'keypad', summary: 'PIN pad: show keys as pressed, detect stuck keys', load: () => import('./commands/keypad.ts') },
  { name: 'audit', summary: 'audit trail: verify the chain, status, retention, wipe', load: () => import('./commands/audit.ts') },
  { name: 'trust', summary: 'passport CSCAs: verify an ICAO CSCA master list and write its CSCAs', load: () => import('./commands/trust.ts') },
  { name: 'provision', summary: 'technician setup: init, trust anchors, CRL, enrolment, selftest', load: () => import('./commands/provision.ts') },
  { name: 'fleet', summary: "the operator's collector: enrolment, heartbeats, audit trails in PostgreSQL", load: () => import('../../fleet/cli.ts') },
  {
    name: 'status-check',
    summary: '現況確認: re-check recorded JPKI signing certificates against current revocation data',
    load: () => import('./commands/status-check.ts'),
  },
];
