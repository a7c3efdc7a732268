// `provision init`: identity (device, site, operator), the device key generated here, and a config that
// points every runtime path at the systemd directories. Re-running with the same values changes nothing;
// changing the device id of a provisioned kiosk needs --force (its audit trail and certificate name it).
import { join } from 'node:path';
import { parseConfig } from '../daemon/config/config.ts';
import { DeviceKey } from '../daemon/device/device-key.ts';
import { ID_PATTERN } from '../daemon/device/operations-config.ts';
import { ErrorCodes, KioskError } from '../core/errors.ts';
import { layout, readRawConfig, writeConfig, type RawConfig } from './config-file.ts';
import { markStep } from './state.ts';

export interface InitOptions {
  configFile: string;
  kioskId: string;
  site?: string;
  operator?: string;
  stateDir?: string;
  runDir?: string;
  fleetUrl?: string;
  auditUrl?: string;
  force?: boolean;
}

export interface InitResult {
  configFile: string;
  kioskId: string;
  keyFile: string;
  keyCreated: boolean;
  keyFingerprint: string;
  configChanged: boolean;
}

function checkId(value: string | undefined, what: string, flag: string): void {
  if (value === undefined) return;
  if (!ID_PATTERN.test(value)) {
    throw new KioskError(
      ErrorCodes.USAGE,
      `${flag} '${value}' is not a valid ${what}: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. tokyo-shinjuku-03)`,
    );
  }
}

export function provisionInit(o: InitOptions): InitResult {
  checkId(o.kioskId, 'device id', '--kiosk-id');
  checkId(o.site, 'site id', '--site');
  checkId(o.operator, 'operator id', '--operator');
  const paths = layout(o.configFile);
  const raw: RawConfig = readRawConfig(o.configFile);
  const before = JSON.stringify(raw);
  if (raw.kioskId && raw.kioskId !== o.kioskId && raw.kioskId !== 'kiosk-unprovisioned' && !o.force) {
    throw new KioskError(ErrorCodes.USAGE, `this kiosk is already provisioned as '${String(raw.kioskId)}'; re-run with --force to rename it to '${o.kioskId}'`);
  }
  const stateDir = o.stateDir ?? '/var/lib/idkiosk';
  const runDir = o.runDir ?? '/run/idkiosk';

  raw.kioskId = o.kioskId;
  if (o.site !== undefined) raw.site = o.site;
  if (o.operator !== undefined) raw.operator = o.operator;
  raw.server = { ...(raw.server ?? {}), tokenFile: (raw.server?.tokenFile as string | undefined) ?? join(runDir, 'ui-token') };
  raw.device = { ...(raw.device ?? {}), keyFile: paths.deviceKey };
  raw.audit = { ...(raw.audit ?? {}), db: (raw.audit?.db as string | undefined) ?? join(stateDir, 'audit.db') };
  if (o.auditUrl) raw.audit.upload = { ...((raw.audit.upload as Record<string, unknown>) ?? {}), url: o.auditUrl };
  raw.revocation = { ...(raw.revocation ?? {}), crlDb: (raw.revocation?.crlDb as string | undefined) ?? join(stateDir, 'crl') };
  raw.health = {
    ...(raw.health ?? {}),
    diskPath: (raw.health?.diskPath as string | undefined) ?? stateDir,
    maintenanceTokenFile: (raw.health?.maintenanceTokenFile as string | undefined) ?? join(runDir, 'maintenance-token'),
  };
  if (o.fleetUrl) raw.fleet = { ...(raw.fleet ?? {}), url: o.fleetUrl };
  parseConfig(raw); // every value checked before anything (the key included) is written
  const { key, created } = DeviceKey.loadOrGenerate(paths.deviceKey);
  const changed = JSON.stringify(raw) !== before;
  if (changed) writeConfig(o.configFile, raw);
  markStep(paths.state, 'init', o.kioskId);
  return {
    configFile: o.configFile,
    kioskId: o.kioskId,
    keyFile: paths.deviceKey,
    keyCreated: created,
    keyFingerprint: key.fingerprint,
    configChanged: changed,
  };
}
