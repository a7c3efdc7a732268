// Builds the configured keypad backend. The daemon's composition root calls createKeypad(config.keypad).
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { EvdevKeypad } from './evdev.ts';
import type { InputEventLayout } from './evdev.ts';
import { nullLogger, type Logger } from '../../core/log.ts';
import { OnoffKeypad } from './onoff.ts';
import { SimulatedKeypad } from './simulated.ts';
import { DEFAULT_ROLES_4X3, DEFAULT_ROLES_4X4, LAYOUT_4X3, LAYOUT_4X4, type KeyLayout, type Keypad, type KeyRoles } from './types.ts';

export interface KeypadConfig {
  backend: 'evdev' | 'onoff' | 'simulated';
  /** '4x3' (digits * #) or '4x4' (plus A–D). */
  pad: '4x3' | '4x4';
  roles?: Partial<KeyRoles>;
  /** Multi-tap commit timeout (ms). */
  multitapMs?: number;
  stuckMs?: number;
  evdev?: { device: string; layout?: InputEventLayout };
  onoff?: {
    rowPins: number[];
    colPins: number[];
    sysfsRoot?: string;
    chipLabel?: string;
    scanIntervalMs?: number;
    debounceScans?: number;
  };
}

export const DEFAULT_EVDEV_CONFIG: NonNullable<KeypadConfig['evdev']> = { device: '/dev/input/kiosk-keypad' };
// Same wiring as overlays/idkiosk-keypad-4x3-overlay.dts.
export const DEFAULT_ONOFF_CONFIG: NonNullable<KeypadConfig['onoff']> = { rowPins: [5, 6, 13, 19], colPins: [12, 16, 20] };

export const DEFAULT_KEYPAD_CONFIG: KeypadConfig = { backend: 'evdev', pad: '4x3', evdev: DEFAULT_EVDEV_CONFIG, onoff: DEFAULT_ONOFF_CONFIG };

export function layoutFor(pad: KeypadConfig['pad']): KeyLayout {
  return pad === '4x4' ? LAYOUT_4X4 : LAYOUT_4X3;
}

export function rolesFor(cfg: Pick<KeypadConfig, 'pad' | 'roles'>): KeyRoles {
  return { ...(cfg.pad === '4x4' ? DEFAULT_ROLES_4X4 : DEFAULT_ROLES_4X3), ...cfg.roles };
}

export function createKeypad(cfg: KeypadConfig, log: Logger = nullLogger): Keypad {
  const layout = layoutFor(cfg.pad);
  switch (cfg.backend) {
    case 'evdev':
      if (!cfg.evdev?.device) throw new KioskError(ErrorCodes.CONFIG_INVALID, 'keypad.evdev.device is required');
      return new EvdevKeypad({
        device: cfg.evdev.device,
        layout: cfg.evdev.layout,
        cols: layout[0]?.length ?? 0,
        stuckMs: cfg.stuckMs,
        log,
      });
    case 'onoff': {
      const o = cfg.onoff;
      if (!o) throw new KioskError(ErrorCodes.CONFIG_INVALID, 'keypad.onoff is required');
      return new OnoffKeypad({ ...o, layout, stuckMs: cfg.stuckMs, lines: 'onoff', log });
    }
    case 'simulated':
      return new SimulatedKeypad({ allowed: layout.flat(), log });
  }
}
