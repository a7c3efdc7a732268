// The pad's repeat key (voice guidance, docs/voice.md): '*' plays the screen's prompt again when back has
// nothing to delete — no entry on screen, or an empty one — and deletes otherwise; the repeat cue carries
// no key value.
import { describe, expect, it } from 'vitest';
import { KeypadInput } from '../../../daemon/kiosk/keypad-input.ts';
import type { KioskRuntime } from '../../../daemon/kiosk/runtime.ts';
import { SimulatedKeypad } from '../../../drivers/keypad/simulated.ts';
import { DEFAULT_ROLES_4X3, DEFAULT_ROLES_4X4, type KeyRoles } from '../../../drivers/keypad/types.ts';

function rig(roles: KeyRoles, state: { phase: string; entry: unknown }) {
  const calls: string[] = [];
  const runtime = {
    getState: () => ({ session: 1, ...state }),
    key: (k: string) => calls.push(`key:${k}`),
    type: (chars: string[]) => calls.push(`type:${chars.length}`),
    repeatPrompt: () => calls.push('repeat'),
    events: { on: () => () => {} },
  } as unknown as KioskRuntime;
  const keypad = new SimulatedKeypad();
  new KeypadInput(keypad, runtime, { roles });
  return { keypad, calls };
}
const entry = (length: number) => ({
  phase: 'secret-entry',
  entry: { purpose: 'jpki-auth-pin', length, padIds: ['abcdef'], format: { kind: 'digits', min: 4, max: 4 } },
});

describe('the repeat key', () => {
  for (const [name, roles] of [
    ['4x3', DEFAULT_ROLES_4X3],
    ['4x4', DEFAULT_ROLES_4X4],
  ] as const) {
    it(`${name}: '*' repeats on a screen without entry and on an empty entry, deletes a typed character`, async () => {
      const idle = rig(roles, { phase: 'idle', entry: null });
      await idle.keypad.start();
      idle.keypad.press('*');
      expect(idle.calls).toEqual(['repeat']);
      const empty = rig(roles, entry(0));
      await empty.keypad.start();
      empty.keypad.press('*');
      expect(empty.calls).toEqual(['repeat']);
      const typed = rig(roles, entry(2));
      await typed.keypad.start();
      typed.keypad.press('*');
      expect(typed.calls).toEqual(['key:back']);
    });
  }

  it('a configuration without a repeat key keeps back as it was', async () => {
    const r = rig({ ...DEFAULT_ROLES_4X3, repeat: [] }, { phase: 'idle', entry: null });
    await r.keypad.start();
    r.keypad.press('*');
    expect(r.calls).toEqual([]);
  });
});
