// The demo panel's session switch builds its configuration in one place (daemon/demo/demo-session.ts):
// the My Number card by mode, the chosen walk-up policy, every other document kept; unknown names refused.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../daemon/config/config.ts';
import { demoSessionConfig, demoSessionView } from '../../../daemon/demo/demo-session.ts';

describe('demoSessionConfig', () => {
  const base = parseConfig({ server: { port: 0 } });

  it('runs the My Number card by the chosen mode under the chosen policy, keeping every other document', () => {
    const c = demoSessionConfig(base, { mode: 'sign', policy: 'age-20' });
    expect(c.documents).toEqual(['mynumber', 'license', 'residence', 'passport']);
    expect(c.mynumber.mode).toBe('sign');
    expect(c.policy.walkUpPolicy).toBe('age-20');
    // the base is not changed (the daemon builds every switch from its loaded configuration)
    expect(base.documents).toEqual(['mynumber-jpki-auth', 'license', 'residence', 'passport']);
    expect(base.policy.walkUpPolicy).toBeNull();
    expect(demoSessionConfig(base, { mode: 'face', policy: null }).policy.walkUpPolicy).toBeNull();
  });

  it('a concrete My Number document in the configuration becomes the by-mode one (listed once)', () => {
    const c = demoSessionConfig(parseConfig({ documents: ['passport', 'mynumber-info', 'mynumber-sign'] }), { mode: 'auth', policy: null });
    expect(c.documents).toEqual(['mynumber', 'passport']);
  });

  it('refuses a mode this version does not have and a policy the kiosk does not define', () => {
    expect(() => demoSessionConfig(base, { mode: 'pin', policy: null })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => demoSessionConfig(base, { mode: 'auth', policy: 'age-99' })).toThrow(expect.objectContaining({ code: 'POLICY_UNKNOWN' }));
  });

  it('the panel is offered every mode and every policy, custom ones included', () => {
    const v = demoSessionView(parseConfig({ policies: { 'age-16': { ageThreshold: 16, documents: ['license'], disclose: [] } }, walkUpPolicy: 'age-16' }));
    expect(v.modes).toEqual(['auth', 'info', 'sign', 'face']);
    expect(v.policies).toEqual(['jpki-auth', 'mynumber-4info', 'jpki-sign', 'license', 'residence', 'passport', 'age-20', 'age-18', 'age-16']);
    expect(v.policy).toBe('age-16');
  });
});
