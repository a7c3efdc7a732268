// Reading and writing the kiosk configuration during provisioning. Every write goes through the daemon's
// own validator first (a technician never leaves a config the daemon would refuse) and lands atomically.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseConfig, type KioskConfig } from '../daemon/config/config.ts';
import { writeFileAtomic } from '../daemon/device/device-key.ts';
import { ErrorCodes, KioskError } from '../core/errors.ts';

export const DEFAULT_CONFIG_FILE = process.env.IDKIOSK_CONFIG ?? '/etc/idkiosk/config.json';

export type RawConfig = Record<string, unknown> & {
  trust?: Record<string, string[]>;
  device?: Record<string, unknown>;
  audit?: Record<string, unknown>;
  fleet?: Record<string, unknown>;
  health?: Record<string, unknown>;
  server?: Record<string, unknown>;
  revocation?: Record<string, unknown>;
};

export function readRawConfig(file: string): RawConfig {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RawConfig;
  } catch (e) {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `config ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Validates with the daemon's parser, then writes (0640: the daemon's group reads it). Returns the parsed config. */
export function writeConfig(file: string, raw: RawConfig): KioskConfig {
  const parsed = parseConfig(raw);
  writeFileAtomic(file, JSON.stringify(raw, null, 2) + '\n', 0o640);
  return parsed;
}

export function loadValidConfig(file: string): { raw: RawConfig; config: KioskConfig } {
  if (!existsSync(file)) throw new KioskError(ErrorCodes.CONFIG_INVALID, `no config at ${file}: run 'idkiosk provision init' first`);
  const raw = readRawConfig(file);
  return { raw, config: parseConfig(raw) };
}

/** Where provisioning keeps what it installs, next to the config file. */
export function layout(configFile: string) {
  const dir = dirname(configFile);
  return {
    dir,
    deviceKey: join(dir, 'device.key'),
    deviceCsr: join(dir, 'device.csr'),
    deviceCert: join(dir, 'device.crt'),
    fleetCa: join(dir, 'fleet-ca.pem'),
    operatorKey: join(dir, 'operator.pem'),
    trustDir: (purpose: string) => join(dir, 'trust', purpose),
    masterListDir: join(dir, 'trust', 'csca-masterlists'),
    crlSync: join(dir, 'crl-sync.json'),
    state: join(dir, 'provision-state.json'),
  };
}
