// The screen listens on loopback only (it has no TLS), and the health listener answers only Host headers
// that a DNS-rebinding page cannot produce (IP literals, localhost) for its own port.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../daemon/config/config.ts';
import { KioskError } from '../../../core/errors.ts';
import { hostHeaderAllowed, screenBindHost } from '../../../daemon/server/bind-address.ts';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof KioskError
      ? { code: e.code, message: e.message, details: (e as unknown as { details?: unknown }).details }
      : { code: 'not a KioskError' };
  }
  return null;
};

describe('server.host', () => {
  it('refuses a non-loopback screen address with CONFIG_INVALID naming the field', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'kiosk.local', '127.0.0.1.example', '']) {
      const r = refusal(() => parseConfig({ server: { host } }));
      expect(r?.code).toBe('CONFIG_INVALID');
      expect(r?.message).toMatch(/server\.host/);
    }
    expect(refusal(() => screenBindHost('0.0.0.0', '--host'))?.message).toMatch(/^config --host: must be a loopback address/);
  });

  it('accepts loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) expect(parseConfig({ server: { host } }).server.host).toBe(host);
    expect(parseConfig({}).server.host).toBe('127.0.0.1');
  });
});

describe('Host header check (DNS rebinding)', () => {
  it('accepts IP literals and localhost with this port only', () => {
    for (const h of ['127.0.0.1:9100', 'localhost:9100', '[::1]:9100', '192.168.1.5:9100']) expect([h, hostHeaderAllowed(h, 9100)]).toEqual([h, true]);
    for (const h of [
      undefined,
      '',
      'evil.example:9100',
      'evil.example',
      '127.0.0.1',
      '127.0.0.1:9101',
      'localhost.evil:9100',
      '[::1]',
      '1.2.3:9100',
      '999.1.1.1:9100',
      '127.0.0.1:9100 ',
      '[evil]:9100',
    ])
      expect([h, hostHeaderAllowed(h, 9100)]).toEqual([h, false]);
  });
});
