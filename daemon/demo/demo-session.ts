// Demo mode only: the session settings the demo panel switches at run time — which My Number check runs
// (mynumber.mode: 利用者証明 auth, 4情報 info, 署名用 sign, 券面AP face) and the walk-up policy (age-20,
// jpki-sign, …) — as a KioskConfig derived from the daemon's own. The composition root builds a session's
// document flow from a KioskConfig in one way (daemon/app.ts sessionSetup): a demo daemon starts from
// demoSessionConfig(loaded config, its mode and policy) and a switch from the panel goes through it again,
// so DEMO_MODE/DEMO_POLICY of scripts/demo.sh (a configuration file) and the panel build the same thing.
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import type { KioskConfig } from '../config/config.ts';
import { MYNUMBER_MODES, type MyNumberMode } from '../documents/mynumber/mynumber-config.ts';
import type { DemoSessionView } from '../server/protocol.ts';

export interface DemoSessionChoice {
  mode: string;
  /** null: no walk-up policy (every enabled document). */
  policy: string | null;
}

const isMyNumber = (id: string) => id === 'mynumber' || id.startsWith('mynumber-');

/**
 * The configuration a demo session runs under: every document of the base configuration with the
 * マイナンバーカード as the by-mode document 'mynumber' (first, so it is tried first as in the default list),
 * the chosen mode and the chosen walk-up policy. Throws CONFIG_INVALID for a mode this version does not
 * have and POLICY_UNKNOWN for a policy the kiosk does not define.
 */
export function demoSessionConfig(base: KioskConfig, choice: DemoSessionChoice): KioskConfig {
  if (!(MYNUMBER_MODES as readonly string[]).includes(choice.mode)) {
    throw new KioskError(ErrorCodes.CONFIG_INVALID, `demo: no My Number mode '${choice.mode}'`, { field: 'mynumber.mode' });
  }
  if (choice.policy !== null && !base.policy.policies.some((p) => p.name === choice.policy)) {
    throw new KioskError(ErrorCodes.POLICY_UNKNOWN, 'demo: the chosen policy is not defined on this kiosk', { policy: choice.policy });
  }
  return {
    ...base,
    documents: ['mynumber', ...base.documents.filter((d) => !isMyNumber(d))],
    mynumber: { ...base.mynumber, mode: choice.mode as MyNumberMode },
    policy: { ...base.policy, walkUpPolicy: choice.policy },
  };
}

/** What the panel shows: the current settings and every mode and policy it may switch to. */
export function demoSessionView(cfg: KioskConfig): DemoSessionView {
  return {
    modes: MYNUMBER_MODES,
    policies: cfg.policy.policies.map((p) => p.name),
    mode: cfg.mynumber.mode,
    policy: cfg.policy.walkUpPolicy,
  };
}
