// Runs every selftest check in order and reports each one (none is skipped silently). While it runs, the
// daemon — when it is up — is switched to maintenance mode so the screen says so and no session starts.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { KioskConfig } from '../../daemon/config/config.ts';
import type { ClockProbeOptions } from '../../daemon/health/clock.ts';
import type { HealthSnapshot } from '../../daemon/health/health-state.ts';
import * as checks from './checks.ts';
import type { CheckContext, CheckResult } from './checks.ts';
import { openHardware } from './hardware.ts';
import type { ServiceAccount } from '../ownership.ts';

export interface SelftestOptions {
  config: KioskConfig;
  /** With both: the file-ownership check (provisioned files readable by the service account only). */
  configFile?: string;
  account?: ServiceAccount;
  simulated: boolean;
  printTestPage?: boolean;
  keypadWaitMs?: number;
  clock?: ClockProbeOptions;
  systemd?: CheckContext['systemd'];
  now?: Date;
  log?: (line: string) => void;
}

export interface SelftestReport {
  ok: boolean;
  simulated: boolean;
  maintenance: 'set' | 'daemon-not-running' | 'no-token' | 'failed';
  checks: CheckResult[];
}

function healthBase(cfg: KioskConfig): string {
  const h = cfg.health.host === '0.0.0.0' ? '127.0.0.1' : cfg.health.host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${cfg.health.port}`;
}

async function daemonHealth(cfg: KioskConfig): Promise<{ snap: HealthSnapshot | null; error: string | null }> {
  try {
    const res = await fetch(`${healthBase(cfg)}/healthz`, { signal: AbortSignal.timeout(1500) });
    return { snap: (await res.json()) as HealthSnapshot, error: null };
  } catch (e) {
    return { snap: null, error: (e as Error).message };
  }
}

async function setMaintenance(cfg: KioskConfig, active: boolean): Promise<SelftestReport['maintenance']> {
  const f = cfg.health.maintenanceTokenFile;
  if (!f || !existsSync(f)) return 'no-token';
  try {
    const res = await fetch(`${healthBase(cfg)}/maintenance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readFileSync(f, 'utf8').trim()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ active, reason: 'selftest' }),
      signal: AbortSignal.timeout(2000),
    });
    return res.ok ? 'set' : 'failed';
  } catch {
    return 'failed';
  }
}

/** What systemd says about idkiosk.service (WARN, never a false PASS, when not under systemd). */
export function systemdFacts(): ReturnType<CheckContext['systemd']> {
  if (!existsSync('/run/systemd/system'))
    return Promise.resolve({ underSystemd: false, watchdogUsec: null, active: null, error: '/run/systemd/system absent' });
  return new Promise((resolve) => {
    execFile('systemctl', ['show', 'idkiosk.service', '-p', 'WatchdogUSec', '-p', 'ActiveState'], { timeout: 3000 }, (err, stdout) => {
      if (err) return resolve({ underSystemd: true, watchdogUsec: null, active: null, error: err.message });
      const v = Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((l) => l.split('=') as [string, string]),
      );
      const wd = v.WatchdogUSec && v.WatchdogUSec !== 'infinity' && v.WatchdogUSec !== '0' ? parseUsec(v.WatchdogUSec) : null;
      resolve({ underSystemd: true, watchdogUsec: wd, active: v.ActiveState ?? null });
    });
  });
}

function parseUsec(s: string): number | null {
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(?:(\d+)min ?)?(?:(\d+)s)?$/.exec(s.trim());
  return m ? (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 1e6 : null;
}

export async function runSelftest(o: SelftestOptions): Promise<SelftestReport> {
  const cfg = o.config;
  const daemon = await daemonHealth(cfg);
  const maintenance = daemon.snap ? await setMaintenance(cfg, true) : 'daemon-not-running';
  const hw = await openHardware(cfg, { simulated: o.simulated, skipPeripherals: !o.simulated && !!daemon.snap });
  const ctx: CheckContext = {
    config: cfg,
    hw,
    daemon: daemon.snap,
    daemonError: daemon.error,
    printTestPage: o.printTestPage ?? true,
    keypadWaitMs: o.keypadWaitMs ?? 0,
    clock: o.clock,
    systemd: o.systemd ?? systemdFacts,
    now: o.now ?? new Date(),
  };
  const results: CheckResult[] = [];
  const run = async (f: () => Promise<CheckResult | CheckResult[]> | CheckResult) => {
    try {
      const r = await f();
      for (const x of Array.isArray(r) ? r : [r]) {
        results.push(x);
        o.log?.(`${x.status.padEnd(4)} ${x.title}: ${x.detail}`);
      }
    } catch (e) {
      results.push({ id: 'internal', title: 'selftest', status: 'FAIL', detail: (e as Error).message, remediation: 'report this' });
    }
  };
  try {
    await run(() => checks.checkDeviceKey(ctx));
    await run(() => checks.checkFileOwnership(ctx.config, o.configFile, o.account));
    await run(() => checks.checkPcscd(ctx));
    await run(() => checks.checkReader(ctx));
    await run(() => checks.checkCard(ctx));
    await run(() => checks.checkPrinter(ctx));
    await run(() => checks.checkKeypad(ctx));
    await run(() => checks.checkUi(ctx));
    await run(() => checks.checkClock(ctx));
    await run(() => checks.checkDisk(ctx));
    await run(() => checks.checkCrl(ctx));
    await run(() => checks.checkTrust(ctx));
    await run(() => checks.checkAudit(ctx));
    await run(() => checks.checkSdNotify());
    await run(() => checks.checkWatchdog(ctx));
  } finally {
    await hw.release();
    if (maintenance === 'set') await setMaintenance(cfg, false);
  }
  return { ok: !results.some((r) => r.status === 'FAIL'), simulated: o.simulated, maintenance, checks: results };
}
