// The kiosk screen's per-boot WebSocket token. With `server.tokenFile` set (e.g. /run/idkiosk/ui-token,
// on tmpfs), the daemon reuses the token already in that file — written earlier in this boot — so a
// daemon restart does not lock out the kiosk browser that is reconnecting with it; after a reboot /run
// is empty and a fresh token is written (mode 0600, atomically). The kiosk browser unit reads it through
// systemd's LoadCredential= (see docs/integration-api.md, "Kiosk screen"), never from a world-readable place.
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../device/device-key.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

const TOKEN = /^[A-Za-z0-9_-]{32,128}$/;

export function newUiToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Reads this boot's token from `file` or creates it there; refuses a file others could read or replace. */
export function perBootToken(file: string): { token: string; created: boolean } {
  if (existsSync(file)) {
    const st = lstatSync(file);
    const uid = process.getuid?.();
    if (!st.isFile() || (st.mode & 0o077) !== 0 || (uid !== undefined && st.uid !== uid)) {
      throw new KioskError(ErrorCodes.CONFIG_INVALID, `server.tokenFile ${file} must be a regular file owned by the daemon user with mode 0600`, {
        field: 'server.tokenFile',
      });
    }
    const token = readFileSync(file, 'utf8').trim();
    if (TOKEN.test(token)) return { token, created: false };
  }
  const token = newUiToken();
  writeFileAtomic(file, `${token}\n`, 0o600);
  return { token, created: true };
}
