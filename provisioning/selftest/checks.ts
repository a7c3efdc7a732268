// The selftest checks. Each returns PASS / WARN / FAIL / SKIP with what it saw and, when not PASS, what
// the technician should do. The card check SELECTs applications and reads nothing else: no certificate,
// no personal data, no PIN.
import { existsSync, statSync } from 'node:fs';
import { CardSession } from '../../drivers/reader/card-session.ts';
import { testPage } from '../../drivers/printer/test-page.ts';
import { openAuditDb } from '../../daemon/audit/audit-store.ts';
import { verifyAudit } from '../../daemon/audit/verify.ts';
import type { KioskConfig } from '../../daemon/config/config.ts';
import { DeviceKey } from '../../daemon/device/device-key.ts';
import { DOCUMENTS } from '../../daemon/documents/registry.ts';
import { probeClock, type ClockProbeOptions } from '../../daemon/health/clock.ts';
import { diskStatus } from '../../daemon/health/disk.ts';
import type { HealthSnapshot } from '../../daemon/health/health-state.ts';
import { CrlStore } from '../../daemon/trust/crl/store.ts';
import { TrustStore } from '../../daemon/trust/trust-store.ts';
import { loadCscaFiles } from '../../daemon/documents/passport/pki/csca-store.ts';
import type { RevocationChecker } from '../../daemon/trust/revocation.ts';
import { sdNotifyUnavailable } from '../../daemon/health/sd-notify.ts';
import type { Hardware } from './hardware.ts';
import type { ServiceAccount } from '../ownership.ts';
import { ownershipProblems } from '../secure-files.ts';

export type Status = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';
export interface CheckResult {
  id: string;
  title: string;
  status: Status;
  detail: string;
  remediation?: string;
}

export interface CheckContext {
  config: KioskConfig;
  hw: Hardware;
  /** The running daemon's /healthz, when it answered. */
  daemon: HealthSnapshot | null;
  daemonError: string | null;
  printTestPage: boolean;
  keypadWaitMs: number;
  clock?: ClockProbeOptions;
  /** Is PID 1 systemd, and what does it say about idkiosk.service's watchdog? */
  systemd: () => Promise<{ underSystemd: boolean; watchdogUsec: number | null; active: string | null; error?: string }>;
  now: Date;
}

const r = (id: string, title: string, status: Status, detail: string, remediation?: string): CheckResult => ({
  id,
  title,
  status,
  detail,
  ...(status === 'PASS' ? {} : { remediation }),
});
const wait = (ms: number) => new Promise((res) => setTimeout(res, ms));
async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await wait(25);
  return pred();
}

/** Which trust purpose each document needs anchors for. */
const PURPOSE_OF: Record<string, keyof KioskConfig['trust']> = {
  'mynumber-jpki-auth': 'jpkiAuth',
  'mynumber-sign': 'jpkiSign',
  license: 'license',
  residence: 'residence',
  passport: 'csca',
};

export async function checkPcscd(c: CheckContext): Promise<CheckResult> {
  const ok = await until(() => c.hw.reader.serviceAvailable(), 3000);
  return ok
    ? r('pcscd', 'PC/SC service reachable', 'PASS', c.hw.simulated ? 'simulated reader service' : 'pcscd answered')
    : r(
        'pcscd',
        'PC/SC service reachable',
        'FAIL',
        'pcscd did not answer within 3 s',
        'systemctl enable --now pcscd.socket; check that the idkiosk user may access PC/SC (polkit rule on Trixie/Ubuntu 24.04)',
      );
}

export async function checkReader(c: CheckContext): Promise<CheckResult> {
  await until(() => c.hw.reader.readers().length > 0, 2000);
  const names = c.hw.reader.readers().map((x) => x.name);
  return names.length
    ? r('reader', 'Card reader present', 'PASS', names.join(', '))
    : r('reader', 'Card reader present', 'FAIL', 'no reader', 'Plug the reader in (USB), check `pcsc_scan`, and that its driver (libccid) is installed');
}

export async function checkCard(c: CheckContext): Promise<CheckResult> {
  const title = 'Test card: ATR and application select';
  const withCard = c.hw.reader.readers().find((x) => x.present);
  if (!withCard) return r('card', title, 'WARN', 'no card in the reader', 'Place a test card (any supported document) on the reader and run selftest again');
  const channel = await c.hw.reader.connect(withCard.name);
  try {
    const session = new CardSession(channel, { extended: c.config.reader.extendedApdu });
    const noRevocation: RevocationChecker = { check: async () => ({ status: 'unknown', reason: 'selftest' }) } as unknown as RevocationChecker;
    const env = { trust: () => new TrustStore([]), revocation: noRevocation, now: () => c.now, mynumber: c.config.mynumber };
    for (const id of c.config.documents) {
      const factory = DOCUMENTS.get(id);
      if (!factory) continue;
      // detect() only SELECTs the document's application: nothing is read from the card.
      if (await factory(env).detect(session)) return r('card', title, 'PASS', `ATR ${channel.atr.toString('hex').toUpperCase()}; answers as ${id}`);
    }
    return r(
      'card',
      title,
      'FAIL',
      `ATR ${channel.atr.toString('hex').toUpperCase()}; no enabled document's application answered`,
      'Use a card of an enabled document type (config "documents"), or check the reader with a known-good card',
    );
  } catch (e) {
    return r(
      'card',
      title,
      'FAIL',
      `${(e as { code?: string }).code ?? 'ERROR'}: ${(e as Error).message}`,
      'Re-seat the card; if it persists, try another reader',
    );
  } finally {
    await channel.disconnect().catch(() => {});
  }
}

export async function checkPrinter(c: CheckContext): Promise<CheckResult[]> {
  const title = 'Receipt printer status';
  if (!c.hw.printer) {
    const p = c.daemon?.printer;
    if (!p)
      return [
        r('printer', title, 'SKIP', 'printer held by the running daemon and not reported'),
        r('printer-test-page', 'Printer test page', 'SKIP', 'daemon running'),
      ];
    return [
      p.usable ? r('printer', title, 'PASS', `${p.state} (reported by the running daemon)`) : r('printer', title, 'FAIL', p.state, printerRemedy(p.state)),
      r(
        'printer-test-page',
        'Printer test page',
        'SKIP',
        'the running daemon holds the port',
        'systemctl stop idkiosk, then `idkiosk provision selftest` (or `idkiosk printer test-page`)',
      ),
    ];
  }
  const pr = c.hw.printer;
  await until(() => pr.isUsable() || !['unknown'].includes(pr.state()), 3000);
  const h = pr.health();
  const status = h.usable
    ? r('printer', title, 'PASS', `${h.state} on ${h.transport}`)
    : r('printer', title, 'FAIL', `${h.state} on ${h.transport}`, printerRemedy(h.state));
  if (!c.printTestPage) return [status, r('printer-test-page', 'Printer test page', 'SKIP', '--no-test-page')];
  if (!h.usable) return [status, r('printer-test-page', 'Printer test page', 'FAIL', 'printer not usable', printerRemedy(h.state))];
  const out = await pr.print(testPage(c.now, { transport: h.transport, columns: c.config.printer.columns ?? 48, qr: c.config.printer.qr ?? 'native' })).done;
  return [
    status,
    out.status === 'confirmed'
      ? r('printer-test-page', 'Printer test page', 'PASS', `printed and confirmed by the printer (GS r) in ${out.attempts} attempt(s)`)
      : r('printer-test-page', 'Printer test page', 'FAIL', `${out.code}: ${out.reason}`, printerRemedy(pr.state())),
  ];
}

function printerRemedy(state: string): string {
  switch (state) {
    case 'paper-end':
      return 'Load a new paper roll';
    case 'cover-open':
      return 'Close the printer cover';
    case 'disconnected':
      return 'Check the serial/USB cable and printer.serial.path; the idkiosk user must be in the dialout group';
    default:
      return 'Power-cycle the printer; check baud rate/flow control against its DIP switches (`idkiosk printer status`)';
  }
}

export async function checkKeypad(c: CheckContext): Promise<CheckResult> {
  const title = 'PIN keypad';
  const k = c.hw.keypad;
  if (!k) {
    const d = c.daemon?.keypad;
    if (!d) return r('keypad', title, 'SKIP', 'keypad held by the running daemon and not reported');
    return d.status === 'ready' && !d.stuckKeys
      ? r('keypad', title, 'PASS', 'ready (reported by the running daemon)')
      : r('keypad', title, 'FAIL', `${d.status}, ${d.stuckKeys} stuck`, 'Check the keypad cable/overlay; run `idkiosk keypad test` with the daemon stopped');
  }
  await until(() => k.status() === 'ready', 2000);
  if (k.status() !== 'ready')
    return r(
      'keypad',
      title,
      'FAIL',
      k.status(),
      'Check the keypad overlay (dtoverlay) and that /dev/input/kiosk-keypad exists; the idkiosk user must be in the input group',
    );
  if (k.stuckKeys().length) return r('keypad', title, 'FAIL', `${k.stuckKeys().length} key(s) stuck`, 'Free the stuck key or replace the keypad');
  let pressed = 0;
  const off = k.on('key', (e) => void (e.action === 'down' && pressed++), 'selftest');
  try {
    if (c.hw.pressKey) c.hw.pressKey();
    else if (c.keypadWaitMs > 0) process.stderr.write(`selftest: press any key on the PIN pad within ${Math.round(c.keypadWaitMs / 1000)} s…\n`);
    await until(() => pressed > 0, c.hw.pressKey ? 1000 : c.keypadWaitMs);
  } finally {
    off();
  }
  if (pressed) return r('keypad', title, 'PASS', `ready; a key press was received${c.hw.pressKey ? ' (simulated)' : ''}`);
  return c.keypadWaitMs > 0 || c.hw.pressKey
    ? r(
        'keypad',
        title,
        'FAIL',
        'ready but no key press arrived',
        'Press a key during the test; if nothing arrives, check the matrix wiring with `idkiosk keypad test`',
      )
    : r('keypad', title, 'WARN', 'ready; key press not tested (--keypad-wait 0)', 'Run with --keypad-wait 15 and press a key');
}

export async function checkUi(c: CheckContext): Promise<CheckResult> {
  const { host, port } = c.config.server;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok
      ? r('ui', 'Kiosk screen reachable', 'PASS', `${url} answered ${res.status}`)
      : r('ui', 'Kiosk screen reachable', 'FAIL', `${url} answered ${res.status}`, 'journalctl -u idkiosk');
  } catch (e) {
    return r('ui', 'Kiosk screen reachable', 'FAIL', `${url}: ${(e as Error).message}`, 'systemctl start idkiosk; journalctl -u idkiosk -b');
  }
}

export async function checkClock(c: CheckContext): Promise<CheckResult> {
  const s = await probeClock(c.clock);
  const title = 'Clock synchronised';
  if (s.synchronized === true) return r('clock', title, 'PASS', `${s.source}: ${s.detail}; now ${c.now.toISOString()}`);
  if (s.synchronized === false)
    return r(
      'clock',
      title,
      'FAIL',
      `${s.source}: ${s.detail}`,
      'Certificate validity depends on the clock: enable systemd-timesyncd (timedatectl set-ntp true) and allow NTP (UDP 123) out',
    );
  return r(
    'clock',
    title,
    'WARN',
    s.detail,
    'No time-sync service could be asked (not systemd?): make sure NTP runs, or the kiosk will misjudge certificate validity',
  );
}

export function checkDisk(c: CheckContext): CheckResult {
  try {
    const d = diskStatus(c.config.health.diskPath, c.config.health.minFreeMb);
    const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`;
    return d.ok
      ? r('disk', 'Disk space', 'PASS', `${gb(d.freeBytes)} free of ${gb(d.totalBytes)} on ${d.path}`)
      : r(
          'disk',
          'Disk space',
          'FAIL',
          `${gb(d.freeBytes)} free on ${d.path} (< ${c.config.health.minFreeMb} MB)`,
          'Free space: lower audit.retentionDays, remove old logs (journalctl --vacuum-size)',
        );
  } catch (e) {
    return r('disk', 'Disk space', 'FAIL', (e as Error).message, 'Check health.diskPath');
  }
}

export function checkCrl(c: CheckContext): CheckResult {
  const title = 'CRL freshness';
  const db = c.config.revocation.crlDb;
  if (!db)
    return r(
      'crl',
      title,
      'FAIL',
      'revocation.crlDb is not set: every revocation check answers unknown and sessions are refused',
      'idkiosk provision crl --source URL --issuer CA.pem',
    );
  if (!existsSync(db)) return r('crl', title, 'FAIL', `no CRL store at ${db}`, 'idkiosk provision crl --source URL --issuer CA.pem (runs the first sync)');
  const list = new CrlStore(db).status();
  if (!list.length) return r('crl', title, 'FAIL', 'the CRL store is empty', 'idkiosk crl sync (check /etc/idkiosk/crl-sync.json)');
  const now = c.now.getTime();
  const stale = list.filter((s) => Date.parse(s.nextUpdate) <= now);
  const soon = list.filter((s) => Date.parse(s.nextUpdate) > now && Date.parse(s.nextUpdate) - now < 24 * 3600_000);
  const detail = list.map((s) => `${s.issuerId.slice(0, 12)} CRL ${s.crlNumber ?? '-'} next ${s.nextUpdate}`).join('; ');
  if (stale.length)
    return r('crl', title, 'FAIL', `${stale.length} stale: ${detail}`, 'idkiosk crl sync; check idkiosk-crl-sync.timer and network access to the CRL source');
  if (soon.length) return r('crl', title, 'WARN', `${soon.length} expire within 24 h: ${detail}`, 'Check that idkiosk-crl-sync.timer is active');
  return r('crl', title, 'PASS', detail);
}

export function checkTrust(c: CheckContext): CheckResult {
  const title = 'Trust anchors present';
  const problems: string[] = [];
  const seen: string[] = [];
  for (const doc of c.config.documents) {
    const purpose = PURPOSE_OF[doc];
    if (!purpose) continue;
    try {
      // CSCA entries may be ICAO master lists as well as certificates (loaded as the daemon loads them)
      const files = c.config.trust[purpose];
      const anchors = purpose === 'csca' ? loadCscaFiles(files, c.config.passport) : TrustStore.fromFiles(files).anchors;
      const valid = anchors.filter((a) => new Date(a.validTo) > c.now);
      if (!valid.length) problems.push(`${doc}: no valid ${purpose} anchor`);
      else seen.push(`${purpose}: ${valid.length}`);
    } catch (e) {
      problems.push(`${doc}: ${(e as Error).message}`);
    }
  }
  return problems.length
    ? r('trust', title, 'FAIL', problems.join('; '), 'idkiosk provision trust add PURPOSE CA.pem --fingerprint <published SHA-256>')
    : r('trust', title, 'PASS', seen.join(', ') || 'no document needs anchors');
}

export function checkDeviceKey(c: CheckContext): CheckResult {
  const f = c.config.device.keyFile;
  if (!f) return r('device-key', 'Device key', 'FAIL', 'device.keyFile not set', 'idkiosk provision init --kiosk-id …');
  try {
    const k = DeviceKey.load(f);
    return r('device-key', 'Device key', 'PASS', `P-256, mode ${(statSync(f).mode & 0o777).toString(8)}, ${k.fingerprint.slice(0, 16)}…`);
  } catch (e) {
    return r('device-key', 'Device key', 'FAIL', (e as Error).message, 'chmod 600 the key file, or re-run provision init');
  }
}

/** Provisioned files: readable by the service account, by no other local user, writable only by root. */
export function checkFileOwnership(config: KioskConfig, configFile: string | undefined, account: ServiceAccount | undefined): CheckResult {
  const title = 'File owners and modes';
  if (!configFile || !account) return r('file-ownership', title, 'SKIP', 'not checked: no config file or service account given');
  const problems = ownershipProblems(configFile, account, config.revocation.crlDb ?? undefined);
  return problems.length
    ? r(
        'file-ownership',
        title,
        'FAIL',
        problems.slice(0, 4).join('; ') + (problems.length > 4 ? ` (+${problems.length - 4} more)` : ''),
        `re-run any provision step as root (it fixes owners and modes), e.g. idkiosk provision init --kiosk-id ${config.kioskId}`,
      )
    : r('file-ownership', title, 'PASS', `service account ${account.name} (uid ${account.uid}, gid ${account.gid}); nothing readable by others`);
}

export function checkAudit(c: CheckContext): CheckResult {
  const db = c.config.audit.db;
  if (!db) return r('audit', 'Audit trail', 'FAIL', 'audit.db is not set: sessions are not recorded', 'idkiosk provision init (sets audit.db)');
  if (!existsSync(db)) return r('audit', 'Audit trail', 'WARN', `${db} does not exist yet (created when the daemon starts)`, 'Start the daemon once');
  const d = openAuditDb(db, true);
  try {
    const key = c.config.device.keyFile && existsSync(c.config.device.keyFile) ? DeviceKey.load(c.config.device.keyFile).publicKey : undefined;
    const v = verifyAudit(d, key);
    return v.ok
      ? r('audit', 'Audit trail', 'PASS', `${v.records} records, chain intact`)
      : r(
          'audit',
          'Audit trail',
          'FAIL',
          v.problems
            .slice(0, 3)
            .map((p) => p.message)
            .join('; '),
          'Preserve the database for investigation (idkiosk audit verify --json) and contact the operator',
        );
  } finally {
    d.close();
  }
}

/** The native module behind sd_notify: without it a Type=notify unit never becomes ready. */
export function checkSdNotify(): CheckResult {
  const why = sdNotifyUnavailable();
  return why
    ? r(
        'sd-notify',
        'sd_notify module',
        'FAIL',
        why,
        'reinstall the idkiosk package (its unix-dgram addon is built for this architecture), or npm rebuild unix-dgram in a checkout',
      )
    : r('sd-notify', 'sd_notify module', 'PASS', `unix-dgram loads (${process.arch})`);
}

export async function checkWatchdog(c: CheckContext): Promise<CheckResult> {
  const title = 'systemd watchdog active';
  const s = await c.systemd();
  if (!s.underSystemd)
    return r(
      'watchdog',
      title,
      'WARN',
      `not running under systemd${s.error ? ` (${s.error})` : ''}: no watchdog supervises the daemon`,
      'Install systemd/idkiosk.service and systemctl enable --now idkiosk',
    );
  if (s.active !== 'active')
    return r('watchdog', title, 'FAIL', `idkiosk.service is ${s.active ?? 'unknown'}`, 'systemctl enable --now idkiosk; journalctl -u idkiosk -b');
  if (!s.watchdogUsec)
    return r('watchdog', title, 'FAIL', 'WatchdogSec is not set for idkiosk.service', 'Install the shipped unit file (it sets WatchdogSec=30s)');
  return r('watchdog', title, 'PASS', `WatchdogSec ${s.watchdogUsec / 1e6} s, service active`);
}
